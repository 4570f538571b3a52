"""``terradesk-cli demo OUT.gpkg``: write the deterministic demo project to a file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from terradesk.cli._common import fail, guarded, human_size, refusing, say, verb_parser, whole_number
from terradesk.io.errors import ExitCode

VERB = "demo"


def register(subparsers: Any) -> None:
    count = whole_number(0)
    parser = verb_parser(
        subparsers, VERB, run, help="write the demo project (a fictional region) to a GeoPackage",
        description="Write the deterministic demo project: the same seed always gives the same file contents.",
        project=None,
    )
    parser.add_argument("out", metavar="OUT.gpkg", help="project file to create")
    parser.add_argument("--units", type=count, default=1500, help="number of postal-code units (default 1500)")
    parser.add_argument("--accounts", type=count, default=5000, help="number of accounts (default 5000)")
    parser.add_argument("--seed", type=count, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.io.demo import generate_demo
    from terradesk.io.gpkg import save_project

    out = Path(args.out)
    if out.is_dir():
        return fail(VERB, f"{out}: is a folder; give a file name such as {out / 'demo.gpkg'}", ExitCode.USAGE)
    if out.exists() and not args.force:
        return fail(VERB, f"{out}: exists already (use --force to overwrite)", ExitCode.USAGE)
    if not out.parent.exists():
        return fail(VERB, f"{out.parent}: no such folder", ExitCode.WRITE_FAILED)
    started = time.perf_counter()
    with refusing(ValueError, code=ExitCode.USAGE):
        project = generate_demo(args.units, args.accounts, args.seed)
    save_project(project, out)
    seconds = time.perf_counter() - started
    say(
        f"wrote {out}: {len(project.units)} units, {len(project.accounts)} accounts, "
        f"{len(project.alignments)} alignments, {human_size(out.stat().st_size)} in {seconds:.1f} s"
    )
    return int(ExitCode.OK)

"""``terradesk-cli demo OUT.gpkg``: write the deterministic demo project to a file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from terradesk.cli._common import fail, guarded, human_size, say
from terradesk.io.errors import ExitCode

VERB = "demo"


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected zero or more, got {value}")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        VERB, help="write the demo project (a fictional region) to a GeoPackage",
        description="Write the deterministic demo project: the same seed always gives the same file contents.",
    )
    parser.add_argument("out", metavar="OUT.gpkg", help="project file to create")
    parser.add_argument("--units", type=_count, default=1500, help="number of postal-code units (default 1500)")
    parser.add_argument("--accounts", type=_count, default=5000, help="number of accounts (default 5000)")
    parser.add_argument("--seed", type=_count, default=0, help="random seed (default 0)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    parser.set_defaults(func=run)


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
    try:
        project = generate_demo(args.units, args.accounts, args.seed)
    except ValueError as exc:
        return fail(VERB, str(exc), ExitCode.USAGE)
    save_project(project, out)
    seconds = time.perf_counter() - started
    say(
        f"wrote {out}: {len(project.units)} units, {len(project.accounts)} accounts, "
        f"{len(project.alignments)} alignments, {human_size(out.stat().st_size)} in {seconds:.1f} s"
    )
    return int(ExitCode.OK)

"""``terradesk-cli export-assignments PROJECT OUT.csv``: write the assignment table of a plan."""

from __future__ import annotations

import argparse
from typing import Any

from terradesk.cli._common import fail, guarded, open_checked, say
from terradesk.io.errors import ExitCode

VERB = "export-assignments"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        VERB, help="write unit code -> territory name as CSV (block equivalency)",
        description="Write one row per unit: code and territory name (blank when unassigned), UTF-8 CSV.",
    )
    parser.add_argument("project", metavar="PROJECT", help="project file (.gpkg)")
    parser.add_argument("out", metavar="OUT.csv", help="CSV file to write")
    parser.add_argument("--alignment", metavar="NAME", help="plan to export (default: the active one)")
    parser.set_defaults(func=run)


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.io.assignment_table import write_assignment_table

    project = open_checked(args.project).project
    al = project.alignment_by_name(args.alignment) if args.alignment else project.active_alignment
    if al is None:
        known = ", ".join(a.name for a in project.alignments.values()) or "none"
        what = f"no alignment named {args.alignment!r}" if args.alignment else "the project has no alignment"
        return fail(VERB, f"{what} (alignments: {known})", ExitCode.BAD_INPUT)
    if al.kind != "units":
        return fail(VERB, f"alignment {al.name!r} is drawn by hand; it has no unit assignment", ExitCode.BAD_INPUT)
    rows = write_assignment_table(project, al.id, args.out)
    say(f"wrote {args.out}: {rows} units of {al.name}")
    return int(ExitCode.OK)

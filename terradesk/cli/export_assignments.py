"""``terradesk-cli export-assignments PROJECT OUT.csv``: write the assignment table of a plan."""

from __future__ import annotations

import argparse
from typing import Any

from terradesk.cli._common import (
    add_alignment_option,
    guarded,
    open_checked,
    pick_alignment,
    require_units,
    say,
    verb_parser,
)
from terradesk.io.errors import ExitCode

VERB = "export-assignments"


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="write unit code -> territory name as CSV (block equivalency)",
        description="Write one row per unit: code and territory name (blank when unassigned), UTF-8 CSV.",
    )
    parser.add_argument("out", metavar="OUT.csv", help="CSV file to write")
    add_alignment_option(parser, "plan to export (default: the active one)")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.io.assignment_table import write_assignment_table

    project = open_checked(args.project).project
    al = pick_alignment(project, args.alignment)
    require_units(al, "it has no unit assignment")
    rows = write_assignment_table(project, al.id, args.out)
    say(f"wrote {args.out}: {rows} units of {al.name}")
    return int(ExitCode.OK)

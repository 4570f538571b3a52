"""``terradesk-cli assign PROJECT --table FILE.csv``: apply an assignment table (block equivalency).

Territories the table names that do not exist yet are created; unknown unit codes and
codes listed with two territories are reported (``--strict`` refuses the whole table).
The whole table is one undo step.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from terradesk.cli._common import (
    add_alignment_option,
    complain,
    fail,
    guarded,
    open_checked,
    refusing,
    require_units,
    save,
    say,
    verb_parser,
)
from terradesk.io.errors import ExitCode

VERB = "assign"


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="assign units to territories from a CSV table (unit code, territory name)",
        description="Apply an assignment table: one row per unit, code and territory name (blank = unassigned).",
    )
    parser.add_argument("--table", required=True, metavar="FILE.csv", help="the assignment table")
    add_alignment_option(parser, "plan to change (default: the active one; created when missing)")
    parser.add_argument("--code-column", metavar="C", help="header of the unit code column (default: guessed)")
    parser.add_argument("--territory-column", metavar="T", help="header of the territory column (default: guessed)")
    parser.add_argument("--strict", action="store_true",
                        help="change nothing when any code is unknown, blank or listed with two territories")
    parser.add_argument("--unlocked-only", action="store_true",
                        help="leave units of locked territories as they are")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.edit import History, add_alignment
    from terradesk.edit.units import assign_by_names
    from terradesk.io.assignment_table import read_assignment_table

    project = open_checked(args.project).project
    history = History(project)
    table_path = Path(args.table)
    name = args.alignment
    al = project.alignment_by_name(name) if name else project.active_alignment
    if al is None:
        history.push(add_alignment(project, name or table_path.stem))
        al = project.alignment_by_name(name or table_path.stem)
        assert al is not None
    require_units(al, "pick a unit-built one with --alignment")
    table = read_assignment_table(table_path, project, al.id, code_column=args.code_column,
                                  territory_column=args.territory_column)
    if args.strict and table.problems:
        say(table.summary())
        return fail(VERB, f"{table_path.name}: {table.problems} row problem(s); nothing changed (--strict)",
                    ExitCode.BAD_INPUT)
    with refusing(ValueError):
        command = assign_by_names(project, al.id, table.by_territory, table.unassign,
                                  skip_locked=args.unlocked_only)
    say(table.summary())
    if command is not None:
        history.push(command)
    if table.problems:
        complain(VERB, f"warning: {table.problems} row(s) of {table_path.name} were not applied (see above)")
    if len(history) == 0:
        say(f"nothing to change in {al.name}")
        return int(ExitCode.OK)
    save(project, args.project, f"{command.label if command else 'new alignment'} in {al.name}")
    return int(ExitCode.OK)

"""``terradesk-cli create-alignment PROJECT --name NAME --territories N --metric NAME[:TOL]``.

Builds a new unit alignment with N contiguous territories balanced on the metrics
(seeded at owners' homes where given), adds it as one undo step and saves.
"""

from __future__ import annotations

import argparse
from typing import Any

from terradesk.cli._common import (
    fail,
    guarded,
    open_checked,
    print_json,
    refusing,
    save,
    say,
    verb_parser,
    whole_number,
)
from terradesk.cli.rebalance import add_goal_arguments, build_spec
from terradesk.io.errors import ExitCode

VERB = "create-alignment"


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="create a new alignment of N balanced, contiguous territories",
        description="Create N territories over all units, balanced on the given metrics.",
    )
    parser.add_argument("--name", required=True, help="name of the new alignment")
    parser.add_argument("--territories", required=True, type=whole_number(1), metavar="N",
                        help="number of territories")
    parser.add_argument("--prefix", default="Territory", help="territory name prefix (default 'Territory')")
    parser.add_argument("--no-owners", action="store_true", help="do not seed territories at owners' homes")
    add_goal_arguments(parser)
    parser.add_argument("--out", metavar="NEW.gpkg", help="save the result here instead of into PROJECT")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.analysis.rebalance import MetricError, create_territories
    from terradesk.edit import AddAlignment, History

    project = open_checked(args.project).project
    name = args.name.strip()
    if not name:
        return fail(VERB, "the alignment needs a name", ExitCode.USAGE)
    if project.alignment_by_name(name) is not None:
        return fail(VERB, f"an alignment named {name!r} exists already", ExitCode.BAD_INPUT)
    with refusing(MetricError, ValueError):
        plan = create_territories(project, args.territories, build_spec(args), name_prefix=args.prefix,
                                  alignment_name=name, owners=[] if args.no_owners else None)
    History(project).push(AddAlignment(plan.alignment, label=plan.label))
    summary = {"alignment": name, "territories": args.territories, "reason": plan.reason,
               "max_deviation": plan.table.max_deviation, "mean_polsby_popper": plan.table.mean_polsby_popper,
               "elapsed_s": plan.elapsed_s}
    if args.json:
        print_json(summary)
    else:
        say(f"{name}: {args.territories} territories, worst deviation {plan.table.max_deviation:.1%} "
            f"({plan.reason}), mean Polsby-Popper {plan.table.mean_polsby_popper:.3f}")
    save(project, args.out or args.project, quiet=args.json)
    return int(ExitCode.OK)

"""``terradesk-cli rebalance PROJECT --metric NAME[:TOL] ...``: balance a plan, one undo step.

Prints the worst deviation before and after, units moved and accounts changing owner,
then saves into ``--out`` (a new file) or the project itself. Constraints (contiguity,
locked territories, pinned accounts) are never violated; the time limit bounds the run.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from terradesk.cli._common import (
    add_alignment_option,
    guarded,
    open_checked,
    pick_alignment,
    positive,
    print_json,
    refusing,
    save,
    say,
    verb_parser,
)
from terradesk.io.errors import ExitCode

VERB = "rebalance"


def metric_arg(text: str) -> tuple[str, float, float]:
    """``NAME[:TOL[:WEIGHT]]`` with TOL as a fraction (0.05) or percent (5%)."""
    parts = text.split(":")
    name = parts[0].strip()
    if not name or len(parts) > 3:
        raise argparse.ArgumentTypeError(f"expected NAME[:TOL[:WEIGHT]] such as market_potential:0.05, got {text!r}")
    try:
        tol = _fraction(parts[1]) if len(parts) > 1 and parts[1] else 0.05
        weight = float(parts[2]) if len(parts) > 2 else 1.0
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad tolerance or weight in {text!r} (e.g. potential:5% or potential:0.05)") from None
    if not 0 < tol < 1 or weight <= 0:
        raise argparse.ArgumentTypeError(f"tolerance must be between 0 and 1 and weight positive in {text!r}")
    return name, tol, weight


def _fraction(text: str) -> float:
    text = text.strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def add_goal_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metric", required=True, action="append", type=metric_arg, metavar="NAME[:TOL]",
                        help="metric to balance with its tolerance (default 0.05 = 5%%); repeat for several")
    parser.add_argument("--time-limit", type=positive, default=10.0, metavar="S", help="seconds (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0); same seed, same plan")
    parser.add_argument("--max-distance", type=positive, metavar="M",
                        help="units may only join a territory within M metres of its owner's home")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="balance an alignment on one or more metrics (contiguous, locks and pins kept)",
        description="Move as few boundary units as needed so every territory is within tolerance of the mean.",
    )
    add_alignment_option(parser, "alignment name (default: the active one)", metavar="A")
    add_goal_arguments(parser)
    parser.add_argument("--out", metavar="NEW.gpkg", help="save the result here instead of into PROJECT")
    parser.add_argument("--dry-run", action="store_true", help="report only; save nothing")


def build_spec(args: argparse.Namespace) -> Any:
    from terradesk.analysis.rebalance import MetricGoal, RebalanceSpec

    return RebalanceSpec(
        goals=[MetricGoal(n, tolerance=t, weight=w) for n, t, w in args.metric],
        time_limit_s=args.time_limit, seed=args.seed, max_distance_m=args.max_distance,
    )


def _progress(info: Any) -> None:
    if sys.stderr.isatty():
        print(f"\r{info.phase}: worst {info.max_deviation:.1%}, {info.units_moved} units moved, "
              f"{info.elapsed_s:.1f} s ", end="", file=sys.stderr, flush=True)


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.analysis.rebalance import MetricError, rebalance
    from terradesk.edit import History, reassign_units

    project = open_checked(args.project).project
    al = pick_alignment(project, args.alignment, missing="the project has no active alignment")
    with refusing(MetricError, ValueError):
        result = rebalance(project, al.id, build_spec(args), progress=_progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    summary = result.summary()
    if args.json:
        print_json(summary)
    else:
        say(f"{al.name}: worst deviation {result.before.max_deviation:.1%} -> {result.after.max_deviation:.1%} "
            f"({'balanced' if result.balanced else result.reason}) in {result.elapsed_s:.1f} s")
        say(f"units moved: {len(result.moved_units)}; accounts changing owner: {len(result.accounts_changing_owner)}"
            f"; mean Polsby-Popper {result.mean_polsby_popper_before:.3f} -> {result.mean_polsby_popper_after:.3f}")
    if args.dry_run or len(result.moved_units) == 0:
        return int(ExitCode.OK)
    command = reassign_units(project, *result.changes(project))
    if command is not None:
        History(project).push(command)
    save(project, args.out or args.project, quiet=args.json)
    return int(ExitCode.OK)

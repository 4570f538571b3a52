"""``terradesk-cli metrics PROJECT [--json|--csv]``: one row per territory with every metric and deviation."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from typing import Any

from terradesk.cli._common import (
    add_alignment_option,
    guarded,
    open_checked,
    pick_alignment,
    refusing,
    verb_parser,
)
from terradesk.io.errors import ExitCode

VERB = "metrics"


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="territory metrics (counts, totals, workload, shape, deviation) as CSV or JSON",
        description="Print one row per territory: every metric and its deviation from the target.",
    )
    add_alignment_option(parser, "plan to measure (default: the active one)")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON (territories and region totals)")
    fmt.add_argument("--csv", action="store_true", help="CSV (the default)")
    parser.add_argument("--formula", metavar="EXPR",
                        help="workload formula, e.g. 'visits_per_year * 1.5 + accounts * 0.2'")
    parser.add_argument("--target", action="append", default=[], metavar="METRIC[:capacity][:TOL]",
                        help="metric with a target (mean by default; ':capacity' uses owner capacity; "
                             "TOL is the tolerance, e.g. 0.1); repeatable. Default: accounts")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")


def _targets(texts: list[str]) -> tuple[Any, ...]:
    from terradesk.analysis.targets import Target

    out = []
    for text in texts or ["accounts"]:
        parts = text.split(":")
        basis, tol = "mean", 0.1
        for p in parts[1:]:
            if p in ("mean", "capacity"):
                basis = p
            else:
                try:
                    tol = float(p)
                except ValueError:
                    raise ValueError(f"--target {text!r}: expected METRIC[:capacity][:TOLERANCE]") from None
        out.append(Target(parts[0], basis, tol))  # type: ignore[arg-type]
    return tuple(out)


def _clean(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 6)


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.analysis.formula import FormulaError
    from terradesk.analysis.metrics import MetricsEngine, MetricSpec

    project = open_checked(args.project).project
    al = pick_alignment(project, args.alignment)
    with refusing(FormulaError, ValueError):
        engine = MetricsEngine(project, al.id, MetricSpec(formula=args.formula, targets=_targets(args.target)))
    names = [c.name for c in engine.columns()]
    rows = engine.rows()
    head = ["territory_id", "territory", "owner", "region"]
    records: list[list[Any]] = []
    for tid, values in rows.items():
        t = al.territory(tid)
        owner = project.owners.get(t.owner_id) if t.owner_id else None
        records.append([tid, t.name, owner.name if owner else "", t.region, *[values[n] for n in names]])
    engine_columns = engine.columns()
    regions = engine.region_rows()
    engine.close()
    buffer = io.StringIO()
    if args.json:
        data = {
            "alignment": al.name,
            "columns": [{"name": c.name, "label": c.label, "unit": c.unit, "kind": c.kind} for c in engine_columns],
            "territories": [dict(zip(head + names, [*r[:4], *map(_clean, r[4:])], strict=True)) for r in records],
            "regions": {k: {n: _clean(v) for n, v in vals.items()} for k, vals in regions.items()},
        }
        json.dump(data, buffer, indent=2, ensure_ascii=False)
        buffer.write("\n")
    else:
        writer = csv.writer(buffer)
        writer.writerow(head + names)
        for r in records:
            writer.writerow([*r[:4], *["" if math.isnan(v) else f"{v:.6g}" for v in r[4:]]])
    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            fh.write(buffer.getvalue())
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    return int(ExitCode.OK)

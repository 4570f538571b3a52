"""``terradesk-cli validate PROJECT``: exit 0 when the project is sound, else say why.

File-level failures (not a GeoPackage, corrupt, newer schema, unknown CRS ...) come from
``open_project`` with their own exit codes. A file that opens is then checked for what the
planner would trip over later: broken unit shapes, duplicate codes, assignments to
territories that no longer exist, overlapping hand-drawn territories, missing owners.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from terradesk.cli._common import complain, guarded, open_reporting, say, verb_parser
from terradesk.io.errors import ExitCode
from terradesk.model import UNASSIGNED, Alignment, Project

VERB = "validate"
SHOWN = 3  # problems quoted in the one-line message


def register(subparsers: Any) -> None:
    verb_parser(
        subparsers, VERB, run, help="check a project file; exit 0 when valid",
        description="Check a project file. Exit 0 when valid; otherwise a non-zero exit code and one line saying why.",
    )


def _examples(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def unit_problems(project: Project) -> list[str]:
    units = project.units
    geoms = units.geometry
    problems = []
    if len(units):
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        invalid = ~empty & ~shapely.is_valid(geoms)
        for label, mask in (("empty", empty), ("invalid", invalid)):
            if mask.any():
                codes = [str(c) for c in units.codes[mask]]
                problems.append(f"{int(mask.sum())} {label} unit geometries ({_examples(codes)})")
    dupes = sorted(str(c) for c, n in Counter(units.codes.tolist()).items() if n > 1)
    if dupes:
        problems.append(f"{len(dupes)} duplicate unit codes ({_examples(dupes)})")
    return problems


def alignment_problems(project: Project, al: Alignment) -> list[str]:
    problems = []
    where = f"alignment {al.name!r}"
    if al.kind == "units":
        if len(al.assignment) != len(project.units):
            problems.append(f"{where}: assignment covers {len(al.assignment)} units, the layer has {len(project.units)}")
        else:
            keys = np.unique(al.assignment)
            known = {al.key(tid) for tid in al.territories}
            stray = [int(k) for k in keys if k != UNASSIGNED and int(k) not in known]
            if stray:
                count = int(np.isin(al.assignment, stray).sum())
                problems.append(f"{where}: {count} units assigned to territories that do not exist")
    else:
        problems.extend(_overlaps(al))
    for t in al:
        if t.owner_id is not None and t.owner_id not in project.owners:
            problems.append(f"{where}: territory {t.name!r} has an owner that does not exist ({t.owner_id})")
        if al.kind == "freeform" and t.geometry is not None and not t.geometry.is_empty and not t.geometry.is_valid:
            problems.append(f"{where}: territory {t.name!r} has an invalid shape")
    return problems


def _overlaps(al: Alignment) -> list[str]:
    """Free-form territories whose interiors overlap (touching edges are fine)."""
    shaped = [t for t in al if t.geometry is not None and not t.geometry.is_empty and t.geometry.is_valid]
    if len(shaped) < 2:
        return []
    geoms = np.array([t.geometry for t in shaped], dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    overlapping = shapely.relate_pattern(geoms[left], geoms[right], "2********")
    return [
        f"alignment {al.name!r}: territories {shaped[a].name!r} and {shaped[b].name!r} overlap"
        for a, b in zip(left[overlapping].tolist(), right[overlapping].tolist(), strict=True)
    ]


def project_problems(project: Project) -> list[str]:
    """Everything wrong with an opened project, one short sentence each (empty = valid)."""
    problems = unit_problems(project)
    for al in project.alignments.values():
        problems.extend(alignment_problems(project, al))
    return problems


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    result = open_reporting(VERB, args.project)
    problems = project_problems(result.project)
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        label = "problem" if len(problems) == 1 else "problems"
        complain(VERB, f"{args.project}: {len(problems)} {label}: " + "; ".join(problems[:SHOWN]) + more)
        return int(ExitCode.FAILURE)
    project = result.project
    say(
        f"{Path(args.project)}: valid ({len(project.units)} units, {len(project.accounts)} accounts, "
        f"{len(project.alignments)} alignments)"
    )
    return int(ExitCode.OK)

"""``terradesk-cli info PROJECT [--json]``: what a project file holds, at a glance."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from terradesk.cli._common import (
    guarded,
    human_size,
    open_reporting,
    print_json,
    say,
    verb_parser,
)
from terradesk.io.errors import ExitCode
from terradesk.model import UNASSIGNED, Project

VERB = "info"


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="show counts per layer and alignment, CRS, schema version and ids",
        description="Summarise a project file: layers, alignments, CRS, schema version, ids, file size.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def summary(project: Project, path: Path) -> dict[str, Any]:
    """The facts ``info`` prints, as plain JSON-ready values."""
    meta = project.meta
    try:
        crs_name = project.crs.name
    except Exception:  # an odd CRS must not stop the summary
        crs_name = ""
    alignments = []
    for al in project.alignments.values():
        entry: dict[str, Any] = {
            "id": al.id,
            "name": al.name,
            "kind": al.kind,
            "territories": len(al.territories),
            "active": al.id == project.active_alignment_id,
        }
        if al.kind == "units":
            unassigned = int(np.count_nonzero(al.assignment == UNASSIGNED))
            entry["assigned_units"] = len(al.assignment) - unassigned
            entry["unassigned_units"] = unassigned
        else:
            entry["territories_with_geometry"] = sum(
                1 for t in al if t.geometry is not None and not t.geometry.is_empty
            )
        alignments.append(entry)
    return {
        "file": str(path),
        "file_size": path.stat().st_size,
        "name": meta.name,
        "project_id": meta.project_id,
        "revision_id": meta.revision_id,
        "schema_version": meta.schema_version,
        "app_version": meta.app_version,
        "created": meta.created,
        "crs": meta.crs,
        "crs_name": crs_name,
        "layers": {
            "units": len(project.units),
            "accounts": len(project.accounts),
            "owners": len(project.owners),
            "alignments": len(project.alignments),
        },
        "unit_fields": list(project.units.fields),
        "account_fields": list(project.accounts.fields),
        "alignments": alignments,
    }


def _text(info: dict[str, Any]) -> list[str]:
    layers = info["layers"]
    lines = [
        f"{info['file']}  ({human_size(info['file_size'])})",
        f"  project     {info['name']}",
        f"  project id  {info['project_id']}",
        f"  revision    {info['revision_id']}",
        f"  schema      {info['schema_version']}  (written by TerraDesk {info['app_version']})",
        f"  CRS         {info['crs']}" + (f"  {info['crs_name']}" if info["crs_name"] else ""),
        f"  units       {layers['units']}" + (f"  fields: {', '.join(info['unit_fields'])}" if info["unit_fields"] else ""),
        f"  accounts    {layers['accounts']}"
        + (f"  fields: {', '.join(info['account_fields'])}" if info["account_fields"] else ""),
        f"  owners      {layers['owners']}",
        f"  alignments  {layers['alignments']}",
    ]
    for al in info["alignments"]:
        mark = " (active)" if al["active"] else ""
        if al["kind"] == "units":
            detail = f"{al['assigned_units']} units assigned, {al['unassigned_units']} unassigned"
        else:
            detail = f"free-form, {al['territories_with_geometry']} with a shape"
        lines.append(f"    {al['name']}{mark}: {al['territories']} territories, {detail}")
    return lines


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    result = open_reporting(VERB, args.project)
    info = summary(result.project, Path(args.project))
    if args.json:
        info["warnings"] = [str(w) for w in result.warnings]
        print_json(info)
    else:
        for line in _text(info):
            say(line)
    return int(ExitCode.OK)

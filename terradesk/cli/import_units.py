"""``terradesk-cli import-units PROJECT SOURCE``: start or refresh a project's base geography.

When PROJECT does not exist it is created (CRS: the source's if projected, else an
equal-area CRS centred on the data), so a planner can start from a postal-code file.
Into an existing project the units are replaced through one undo-able command that
carries every plan's assignment over by unit code; units that disappeared are listed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from terradesk.cli._common import complain, fail, guarded, open_checked, save, say, verb_parser
from terradesk.io.errors import ExitCode

VERB = "import-units"


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="import postal codes / counties as units (creates PROJECT if missing)",
        description="Import base geography from GeoPackage, Shapefile (also .zip), GeoJSON, TopoJSON, KML, "
        "FlatGeobuf or CSV with a WKT column. Into an existing project the units are replaced and every "
        "plan keeps its assignment by unit code.",
        project="project file (.gpkg); created when it does not exist",
    )
    parser.add_argument("source", metavar="SOURCE", help="the file to import")
    parser.add_argument("--layer", help="layer to read when SOURCE has several")
    parser.add_argument("--code-field", help="field holding the unique unit code (default: guessed)")
    parser.add_argument("--name-field", help="field holding the unit name (default: guessed)")
    parser.add_argument("--crs", help="CRS of SOURCE when the file does not say (e.g. EPSG:4326)")
    parser.add_argument("--keep-field", action="append", dest="keep_fields", metavar="F",
                        help="attribute field to keep (repeatable; default: every numeric field)")
    parser.add_argument("--merge", action="store_true",
                        help="update units with known codes and add new ones, keep units missing from SOURCE")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.edit import History
    from terradesk.edit.units import replace_units
    from terradesk.io.units_import import read_units

    target = Path(args.project)
    exists = target.exists()
    opened = open_checked(args.project) if exists else None
    options = dict(layer=args.layer, code_field=args.code_field, name_field=args.name_field,
                   keep_fields=args.keep_fields, crs=args.crs)
    if opened is not None:
        project = opened.project
        imported = read_units(args.source, target_crs=project.meta.crs, **options)
    else:
        if not target.parent.exists():
            return fail(VERB, f"{target.parent}: no such folder", ExitCode.WRITE_FAILED)
        imported = read_units(args.source, **options)
        project = _new_project(target, imported)
    say(imported.summary())
    if len(imported.units) == 0:
        return fail(VERB, f"{Path(args.source).name}: no usable units to import", ExitCode.BAD_DATA)
    history = History(project)
    command = replace_units(project, imported.units, "merge" if args.merge else "replace")
    history.push(command)
    if command.dropped_codes:
        shown = ", ".join(command.dropped_codes[:10]) + ("..." if len(command.dropped_codes) > 10 else "")
        complain(VERB, f"{len(command.dropped_codes)} unit(s) no longer in the source were removed "
                       f"({command.dropped_assigned} of them assigned in some plan): {shown}")
    save(project, target, quiet=True)
    say(f"{'updated' if exists else 'created'} {target}: {len(project.units)} units in {_crs_label(project.meta.crs)}")
    return int(ExitCode.OK)


def _new_project(target: Path, imported: Any) -> Any:
    """An empty project in a CRS fit for planning, with the import reprojected into it."""
    from terradesk.geo.crs import transform_geometries
    from terradesk.io.units_import import suggest_project_crs
    from terradesk.model import Project, ProjectMeta, UnitLayer

    crs = suggest_project_crs(imported)
    if crs != imported.crs:
        units = imported.units
        geoms = transform_geometries(np.asarray(units.geometry, dtype=object), imported.crs, crs)
        imported.units = UnitLayer(
            {"id": units.ids, "code": units.codes, "name": units.names, "geometry": geoms}, dict(units.fields)
        )
        imported.report.target_crs = crs
        imported.crs = crs
    return Project(ProjectMeta(name=target.stem, crs=crs))


def _crs_label(crs: str) -> str:
    if len(crs) < 40:
        return crs
    from pyproj import CRS

    return f"{CRS.from_user_input(crs).name} (equal-area)"

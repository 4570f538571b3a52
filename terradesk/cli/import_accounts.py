"""``terradesk-cli import-accounts PROJECT FILE``: add accounts from CSV, GeoPackage, Shapefile or GeoJSON.

Prints what was read, placed (by coordinates and by postal code) and left unplaced with
the reason per row; unplaced rows are kept in the project. One undo step; the project
is saved.
"""

from __future__ import annotations

import argparse
from typing import Any

from terradesk.cli._common import complain, guarded, open_checked, save, say, verb_parser
from terradesk.io.errors import ExitCode

VERB = "import-accounts"
SHOW_UNPLACED = 20


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="import accounts (CSV, GeoPackage, Shapefile, GeoJSON points) into a project",
        description="Import accounts. Delimiter, encoding and latitude/longitude columns are detected; "
                    "override them when the guess is wrong.",
    )
    parser.add_argument("source", metavar="FILE", help="accounts file (.csv, .gpkg, .shp, .geojson)")
    parser.add_argument("--delimiter", help="CSV delimiter (default: detected; use '\\t' for tab)")
    parser.add_argument("--encoding", help="CSV encoding, e.g. utf-8, cp1252 (default: detected)")
    parser.add_argument("--lat", metavar="COLUMN", help="latitude (or y) column")
    parser.add_argument("--lon", metavar="COLUMN", help="longitude (or x) column")
    parser.add_argument("--crs", default="EPSG:4326", help="CRS of the coordinates (default: EPSG:4326)")
    parser.add_argument("--id-field", metavar="COLUMN", help="account id column")
    parser.add_argument("--name-field", metavar="COLUMN", help="account name column")
    parser.add_argument("--postal-field", metavar="COLUMN", help="postal code column (places rows without coordinates)")
    parser.add_argument("--decimal-comma", action="store_true", default=None, help="numbers are written 12,5")
    parser.add_argument("--reject-duplicate-ids", action="store_true",
                        help="refuse the file when an account id repeats (default: rename with -2, -3)")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.edit import History, add_accounts
    from terradesk.io.accounts_import import CsvOptions, read_accounts

    project = open_checked(args.project).project
    delimiter = "\t" if args.delimiter in ("\\t", "tab") else args.delimiter
    options = CsvOptions(
        delimiter=delimiter, encoding=args.encoding, lat=args.lat, lon=args.lon, id_field=args.id_field,
        name_field=args.name_field, postal_field=args.postal_field, decimal_comma=args.decimal_comma, crs=args.crs,
        duplicate_ids="reject" if args.reject_duplicate_ids else "rename",
    )
    result = read_accounts(args.source, options=options, project=project)
    o = result.options
    if o.delimiter:
        say(f"read {result.read} rows (encoding {o.encoding}, delimiter {o.delimiter!r}, "
            f"lat {o.lat!r}, lon {o.lon!r}, decimal {'comma' if o.decimal_comma else 'point'})")
    else:
        say(f"read {result.read} features (CRS {o.crs})")
    by_coords = result.placed - result.placed_by_postal
    say(f"placed {result.placed}: {by_coords} by coordinates, {result.placed_by_postal} by postal code")
    say(f"unplaced {len(result.unplaced)} (kept in the project without a location)")
    for row, reason in result.unplaced[:SHOW_UNPLACED]:
        say(f"  row {row}: {reason}")
    if len(result.unplaced) > SHOW_UNPLACED:
        say(f"  ... and {len(result.unplaced) - SHOW_UNPLACED} more")
    for warning in result.warnings:
        complain(VERB, f"warning: {warning}")
    if result.read == 0:
        say("nothing to import")
        return int(ExitCode.OK)
    History(project).push(add_accounts(project, result.rows))
    save(project, args.project, f"{len(project.accounts)} accounts in the project")
    return int(ExitCode.OK)

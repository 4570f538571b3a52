"""``terradesk-cli export-accounts PROJECT OUT.csv``: each account's territory, owner and region for the CRM."""

from __future__ import annotations

import argparse
import csv
from typing import Any

from terradesk.cli._common import (
    add_alignment_option,
    guarded,
    open_checked,
    pick_alignment,
    say,
    verb_parser,
)
from terradesk.io.errors import ExitCode

VERB = "export-accounts"
HEADER = ("account_id", "name", "territory", "owner", "region", "pinned", "uuid")


def register(subparsers: Any) -> None:
    parser = verb_parser(
        subparsers, VERB, run, help="write accounts with their territory, owner and region as CSV",
        description="Write one row per account: account id, name, territory, owner, region (UTF-8 CSV).",
    )
    parser.add_argument("out", metavar="OUT.csv", help="CSV file to write")
    add_alignment_option(parser, "plan to use (default: the active one)")


@guarded(VERB)
def run(args: argparse.Namespace) -> int:
    from terradesk.analysis.placement import account_keys

    project = open_checked(args.project).project
    al = pick_alignment(project, args.alignment)
    accounts = project.accounts
    keys = account_keys(project, al)
    source_ids = accounts.fields.get("account_id")
    with open(args.out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(len(accounts)):
            tid = al.territory_id_of_key(int(keys[i]))
            territory = al.territories.get(tid) if tid else None
            owner = project.owners.get(territory.owner_id) if territory and territory.owner_id else None
            uuid = accounts.ids[i]
            sid = source_ids[i] if source_ids is not None and source_ids[i] is not None else uuid
            writer.writerow((sid, accounts.names[i] or "", territory.name if territory else "",
                             owner.name if owner else "", territory.region if territory else "",
                             "yes" if uuid in al.pins else "", uuid))
    placed = int((keys >= 0).sum())
    say(f"wrote {len(accounts)} accounts to {args.out} ({placed} in a territory of {al.name})")
    return int(ExitCode.OK)

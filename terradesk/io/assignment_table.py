"""The assignment table: CSV of (unit code, territory name), the "block equivalency" format.

Redistricting and sales-planning tools swap plans as a two-column CSV. Reading it
never skips silently: codes the project does not know, and codes listed twice with
different territories, are reported (and left out). A blank territory means unassigned.
Applying the table is :func:`terradesk.edit.units.assign_by_names` (one undo step).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from terradesk.io.errors import FileMissingError, ImportSourceError, SaveError
from terradesk.io.sources import sniff_csv_delimiter
from terradesk.model import Id, Project

IntArray = npt.NDArray[np.intp]

CODE_HEADERS = r"^(unit_?)?code$|geoid|block|post_?code|postal|^zip|^plz|fips|^unit$|^id$|code"
TERRITORY_HEADERS = r"territor|district|^dist|region|zone|area|assign|^name$|team|rep"
HEADER = ("code", "territory")


@dataclass(slots=True)
class AssignmentTable:
    """A table matched against a project's units, ready to apply."""

    source: str
    alignment_id: Id | None
    rows: int = 0
    by_territory: dict[str, IntArray] = field(default_factory=dict)
    unassign: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    unknown_codes: list[tuple[int, str]] = field(default_factory=list)  # (line, code)
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # code -> territories named
    duplicates: int = 0  # codes listed more than once with the same territory (harmless)
    blank_codes: list[int] = field(default_factory=list)  # lines without a code
    new_territories: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return int(sum(len(v) for v in self.by_territory.values()) + len(self.unassign))

    @property
    def problems(self) -> int:
        return len(self.unknown_codes) + len(self.conflicts) + len(self.blank_codes)

    def summary(self, examples: int = 5) -> str:
        parts = [
            f"Read {self.rows:,} row{'s' if self.rows != 1 else ''} from {self.source}: "
            f"{self.matched:,} unit{'s' if self.matched != 1 else ''} matched to "
            f"{len(self.by_territory):,} territor{'ies' if len(self.by_territory) != 1 else 'y'}"
            + (f", {len(self.unassign):,} left blank (unassigned)" if len(self.unassign) else "")
            + "."
        ]
        if self.new_territories:
            parts.append(f"New territories: {', '.join(self.new_territories[:examples])}"
                         + ("..." if len(self.new_territories) > examples else "") + ".")
        if self.unknown_codes:
            shown = ", ".join(c for _, c in self.unknown_codes[:examples])
            parts.append(f"{len(self.unknown_codes):,} unknown unit code{'s' if len(self.unknown_codes) != 1 else ''}"
                         f" not applied: {shown}" + ("..." if len(self.unknown_codes) > examples else "") + ".")
        if self.conflicts:
            shown = "; ".join(f"{c} ({' / '.join(ts)})" for c, ts in list(self.conflicts.items())[:examples])
            parts.append(f"{len(self.conflicts):,} code{'s' if len(self.conflicts) != 1 else ''} listed with "
                         f"different territories, not applied: {shown}.")
        if self.blank_codes:
            parts.append(f"{len(self.blank_codes):,} row{'s' if len(self.blank_codes) != 1 else ''} without a code "
                         f"(lines {', '.join(map(str, self.blank_codes[:examples]))}).")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} repeated row{'s' if self.duplicates != 1 else ''} ignored.")
        return " ".join(parts)


def read_assignment_table(
    path: str | Path, project: Project, alignment_id: Id | None = None, *,
    code_column: str | None = None, territory_column: str | None = None,
) -> AssignmentTable:
    """Read and match a table; ``alignment_id`` (may be None) decides which names are new."""
    path = Path(path)
    known = {str(c) for c in project.units.codes.tolist()}
    header, body = _read_rows(path, known)
    ci, ti = _columns(header, path.name, code_column, territory_column)
    table = AssignmentTable(path.name, alignment_id)
    chosen: dict[str, str] = {}
    first_line: dict[str, int] = {}
    named: dict[str, set[str]] = {}
    for line, row in body:
        if not any(cell.strip() for cell in row):
            continue
        table.rows += 1
        code = row[ci].strip() if ci < len(row) else ""
        territory = row[ti].strip() if ti < len(row) else ""
        if not code:
            table.blank_codes.append(line)
            continue
        named.setdefault(code, set()).add(territory)
        if code in chosen:
            table.duplicates += chosen[code] == territory
            continue
        chosen[code] = territory
        first_line[code] = line
    table.conflicts = {c: sorted(t or "(blank)" for t in ts) for c, ts in named.items() if len(ts) > 1}
    _match(table, project, chosen, first_line)
    if alignment_id is not None:
        al = project.alignment(alignment_id)
        table.new_territories = [t for t in table.by_territory if al.territory_by_name(t) is None]
    else:
        table.new_territories = list(table.by_territory)
    return table


def _read_rows(path: Path, known: set[str]) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """The header (None when the first row holds data) and the other rows with line numbers."""
    if not path.exists():
        raise FileMissingError(f"{path} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")  # spreadsheets on Windows
    except OSError as exc:
        raise ImportSourceError(f"{path.name} cannot be read ({exc.strerror})") from exc
    delimiter = sniff_csv_delimiter(path)
    try:
        rows = [(i, r) for i, r in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), start=1) if r]
    except csv.Error as exc:
        raise ImportSourceError(f"{path.name} is not a readable CSV file ({exc})") from exc
    if not rows:
        raise ImportSourceError(f"{path.name} is empty")
    if max(len(r) for _, r in rows) < 2:
        raise ImportSourceError(f"{path.name} needs two columns (unit code, territory name)")
    first = rows[0][1]
    looks_like_header = not any(c.strip() in known for c in first) and any(
        re.search(CODE_HEADERS + "|" + TERRITORY_HEADERS, c.strip(), re.I) for c in first
    )
    return (first, rows[1:]) if looks_like_header else (None, rows)


def _columns(header: list[str] | None, source: str, code: str | None, territory: str | None) -> tuple[int, int]:
    if header is None:
        if code or territory:
            raise ImportSourceError(f"{source} has no header row to find columns {code or territory!r} in")
        return 0, 1
    names = [h.strip() for h in header]

    def find(wanted: str | None, pattern: str, default: int) -> int:
        if wanted is not None:
            if wanted not in names:
                raise ImportSourceError(f"{source} has no column {wanted!r} (columns: {', '.join(names)})")
            return names.index(wanted)
        for i, n in enumerate(names):
            if re.search(pattern, n, re.I):
                return i
        return default

    ci = find(code, CODE_HEADERS, 0)
    ti = find(territory, TERRITORY_HEADERS, 1 if ci != 1 else 0)
    if ti == ci:
        ti = 1 if ci == 0 else 0
    return ci, ti


def _match(table: AssignmentTable, project: Project, chosen: dict[str, str], line: dict[str, int]) -> None:
    lookup = {str(c): i for i, c in enumerate(project.units.codes.tolist())}
    groups: dict[str, list[int]] = {}
    blank: list[int] = []
    for code, territory in chosen.items():
        if code in table.conflicts:
            continue
        pos = lookup.get(code)
        if pos is None:
            table.unknown_codes.append((line[code], code))
            continue
        (groups.setdefault(territory, []) if territory else blank).append(pos)
    table.by_territory = {t: np.asarray(v, dtype=np.intp) for t, v in groups.items()}
    table.unassign = np.asarray(blank, dtype=np.intp)


def write_assignment_table(project: Project, alignment_id: Id, path: str | Path) -> int:
    """Write every unit's code and territory name (blank when unassigned); returns rows."""
    al = project.alignment(alignment_id)
    if al.kind != "units":
        raise ImportSourceError(f"alignment {al.name!r} is drawn by hand; it has no unit assignment to export")
    names = {al.key(t.id): t.name for t in al.territories.values()}
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            for code, key in zip(project.units.codes.tolist(), al.assignment.tolist(), strict=True):
                writer.writerow((code, names.get(key, "")))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SaveError(f"cannot write {path} ({exc.strerror})") from exc
    return len(project.units)

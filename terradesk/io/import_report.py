"""What an import did, row by row: read, repaired and rejected, in words a planner reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One repaired or rejected row. ``row`` counts source features from 1."""

    row: int
    code: str | None
    reason: str

    def describe(self) -> str:
        who = f"code {self.code}" if self.code else "no code"
        return f"row {self.row} ({who}): {self.reason}"


@dataclass(slots=True)
class ImportReport:
    """The import summary: how many units were read, repaired and rejected, and why."""

    source: str
    layer: str
    read: int = 0
    imported: int = 0
    repaired: list[RowIssue] = field(default_factory=list)
    rejected: list[RowIssue] = field(default_factory=list)
    source_crs: str = ""
    target_crs: str = ""
    code_field: str = ""
    name_field: str | None = None
    kept_fields: tuple[str, ...] = ()

    @property
    def repaired_codes(self) -> list[str]:
        return [r.code for r in self.repaired if r.code]

    def reasons(self) -> Counter[str]:
        """Rejections grouped by reason kind (the text before the first colon)."""
        return Counter(r.reason.split(":")[0].split(" (")[0] for r in self.rejected)

    def summary(self, examples: int = 3) -> str:
        """One paragraph for the CLI and the import dialog."""
        parts = [
            f"Read {self.read:,} feature{'s' if self.read != 1 else ''} from {self.source}"
            + (f" (layer {self.layer})" if self.layer else "")
            + f": {self.imported:,} unit{'s' if self.imported != 1 else ''} imported"
            + f" with codes from {self.code_field}"
            + (f" and names from {self.name_field}" if self.name_field else "")
            + "."
        ]
        if self.repaired:
            shown = ", ".join(self.repaired_codes[:examples])
            more = "..." if len(self.repaired) > examples else ""
            parts.append(f"{len(self.repaired):,} repaired (invalid or mixed geometry made valid: {shown}{more}).")
        if self.rejected:
            grouped = "; ".join(f"{n:,} {why}" for why, n in self.reasons().most_common())
            first = "; ".join(r.describe() for r in self.rejected[:examples])
            parts.append(f"{len(self.rejected):,} rejected ({grouped}), e.g. {first}.")
        if not self.repaired and not self.rejected:
            parts.append("Nothing needed repair and nothing was rejected.")
        if self.source_crs and self.target_crs and self.source_crs != self.target_crs:
            parts.append(f"Reprojected from {_short_crs(self.source_crs)} to {_short_crs(self.target_crs)}.")
        elif self.source_crs:
            parts.append(f"Coordinates in {_short_crs(self.source_crs)}.")
        if self.kept_fields:
            parts.append(f"Fields kept: {', '.join(self.kept_fields)}.")
        return " ".join(parts)


def _short_crs(text: str) -> str:
    if len(text) < 40:
        return text
    from pyproj import CRS

    return str(CRS.from_user_input(text).name)

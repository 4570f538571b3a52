"""Status bar: cursor in lat/lon and display-CRS metres, scale, selection, alignment, tool."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget


def _field(parent: QWidget, name: str, tip: str, width_chars: int) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setToolTip(tip)
    label.setFrameShape(QFrame.Shape.NoFrame)
    label.setMinimumWidth(label.fontMetrics().averageCharWidth() * width_chars)
    return label


def format_lonlat(lon: float, lat: float) -> str:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return ""
    return f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}"


def format_scale(denominator: float) -> str:
    if not math.isfinite(denominator) or denominator <= 0:
        return ""
    magnitude = 10 ** max(0, int(math.log10(denominator)) - 1)
    return f"1:{round(denominator / magnitude) * magnitude:,.0f}"


class StatusFields:
    """The permanent fields on the right of the status bar."""

    def __init__(self, bar: QStatusBar) -> None:
        self.lonlat = _field(bar, "statusLonLat", "Cursor position (WGS 84 latitude, longitude)", 24)
        self.xy = _field(bar, "statusXY", "Cursor position in the display CRS (metres)", 22)
        self.scale = _field(bar, "statusScale", "Map scale", 11)
        self.selection = _field(bar, "statusSelection", "What is selected", 14)
        self.alignment = _field(bar, "statusAlignment", "Active alignment (territory plan)", 14)
        self.tool = _field(bar, "statusTool", "Active map tool", 9)
        for w in (self.lonlat, self.xy, self.scale, self.selection, self.alignment, self.tool):
            bar.addPermanentWidget(w)

    def set_cursor(self, x: float, y: float, lon: float, lat: float) -> None:
        self.lonlat.setText(format_lonlat(lon, lat))
        self.xy.setText(f"{x:,.0f}, {y:,.0f} m" if math.isfinite(x) and math.isfinite(y) else "")

    def set_scale(self, denominator: float) -> None:
        self.scale.setText(format_scale(denominator))

    def set_selection(self, kind: str | None, count: int) -> None:
        if not count or kind is None:
            self.selection.setText("No selection")
            return
        noun = {"units": "unit", "accounts": "account", "territories": "territory"}.get(kind, "item")
        plural = "territories" if noun == "territory" else f"{noun}s"
        self.selection.setText(f"{count:,} {noun if count == 1 else plural}")

    def set_alignment(self, name: str | None) -> None:
        self.alignment.setText(f"Plan: {name}" if name else "No plan")

    def set_tool(self, name: str | None) -> None:
        self.tool.setText(f"Tool: {name}" if name else "")

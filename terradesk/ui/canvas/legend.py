"""Legend entries for the layer panel: what each colour on the map means."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from terradesk.ui.canvas.accounts import account_classes
from terradesk.ui.canvas.paint import TERRITORY_LINE
from terradesk.ui.canvas.scene import MapScene
from terradesk.ui.canvas.state import UNASSIGNED_FILL, class_breaks, deviation_legend, format_number, ramp_colours


def legend_for(scene: MapScene, layer_id: str) -> list[tuple[str, QColor]]:
    layer = scene.layer(layer_id)
    style = layer.style
    project = scene.project
    if layer_id == "units" and project is not None:
        if style.mode == "field" and style.field:
            try:
                values = np.asarray(project.units.column(style.field), dtype=float)
            except (KeyError, ValueError, TypeError):
                return []
            edges = class_breaks(values, style.classes)
            colours = ramp_colours(style.ramp, max(1, len(edges) - 1))
            out = [
                (f"{format_number(edges[i])} – {format_number(edges[i + 1])}", colours[i])
                for i in range(len(edges) - 1)
            ]
            if np.isnan(values).any():
                out.append(("No value", QColor(UNASSIGNED_FILL)))
            return out
        if style.mode == "single":
            return [(layer.title, QColor(style.colour))]
        if style.mode == "deviation":
            return deviation_legend(style.tolerance, (style.field or "").replace("_", " "))
        al = project.active_alignment
        out = [(t.name, QColor(t.colour)) for t in al] if al is not None else []
        if al is None or (al.kind == "units" and (al.assignment < 0).any()):
            out.append(("Unassigned", QColor(UNASSIGNED_FILL)))
        return out
    if layer_id == "territories":
        return [("Territory boundary", QColor(style.colour if style.mode == "single" else TERRITORY_LINE))]
    if layer_id == "accounts" and project is not None:
        field = scene.account_colour_field
        if field and field in project.accounts.fields and len(project.accounts):
            _, _idx, names = account_classes(scene, layer)
            col = project.accounts.column(field)
            if col.dtype.kind == "f":
                values = np.asarray(col, dtype=float)
                edges = class_breaks(values, 5)
                return [
                    (f"{format_number(edges[i])} – {format_number(edges[i + 1])}", QColor(names[i + 1]))
                    for i in range(len(edges) - 1)
                ]
            cats = np.unique(col.astype(str))
            return [(str(c), QColor(names[i])) for i, c in enumerate(cats)]
        return [(layer.title, QColor(style.colour))]
    return [(layer.title, QColor(style.colour))]

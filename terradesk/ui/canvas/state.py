"""View state of the canvas: layers, their styles, and the selection (not project data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtGui import QColor

StyleMode = Literal["territory", "field", "single", "deviation"]
SelectionKind = Literal["units", "territories", "accounts"] | None

UNASSIGNED_FILL = QColor("#e4e4e4")
UNASSIGNED_HATCH = QColor("#b8b8b8")
SELECTION_COLOUR = QColor("#00b4ff")
HOVER_COLOUR = QColor("#ff5a00")

#: Ramps a planner can pick for choropleths (names pyqtgraph's ColorMap knows).
RAMPS = ("viridis", "plasma", "inferno", "magma", "cividis")


@dataclass
class LayerStyle:
    """How a layer is coloured: by territory, by a numeric field (choropleth), or one colour."""

    mode: StyleMode = "territory"
    field: str | None = None
    colour: str = "#808080"
    ramp: str = "viridis"
    classes: int = 5
    #: mode "deviation": each territory's relative deviation (0.1 = 10 % over), from the
    #: metrics engine, and the tolerance band drawn neutral; ``field`` names the metric.
    values: dict[str, float] | None = None
    tolerance: float = 0.1


@dataclass
class LayerState:
    """One entry of the layer list. ``id`` is 'units', 'territories', 'accounts' or 'ref:<n>'."""

    id: str
    title: str
    kind: str
    visible: bool = True
    opacity: float = 1.0
    style: LayerStyle = field(default_factory=LayerStyle)


@dataclass(frozen=True)
class Selection:
    """What is selected: units or accounts (UUIDs plus row indices) or territories (UUIDs)."""

    kind: SelectionKind = None
    ids: tuple[str, ...] = ()
    indices: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


#: Diverging classes for "deviation" (ColorBrewer RdBu), far under to far over; the bounds
#: are in tolerances: < -2, -2..-1, -1..1 (inside the band), 1..2, > 2.
DEVIATION_CLASSES: tuple[tuple[float, str], ...] = (
    (-2.0, "#2166ac"), (-1.0, "#92c5de"), (1.0, "#f7f7f7"), (2.0, "#f4a582"), (float("inf"), "#b2182b"),
)
NO_VALUE = QColor("#c8c8c8")


def deviation_colour(deviation: float, tolerance: float) -> QColor:
    """Blue under the band, near-white inside it, red over it; darker further out."""
    if not np.isfinite(deviation):
        return QColor(NO_VALUE)
    tol = tolerance if tolerance > 0 else 1e-9
    r = deviation / tol
    k = 0 if r < -2 else 1 if r < -1 else 2 if r <= 1 else 3 if r <= 2 else 4
    return QColor(DEVIATION_CLASSES[k][1])


def deviation_legend(tolerance: float, metric: str = "") -> list[tuple[str, QColor]]:
    t = 100 * tolerance
    what = f"{metric} " if metric else ""
    return [
        (f"{what}over by more than {2 * t:g} %", QColor(DEVIATION_CLASSES[4][1])),
        (f"over by {t:g}–{2 * t:g} %", QColor(DEVIATION_CLASSES[3][1])),
        (f"within ±{t:g} %", QColor(DEVIATION_CLASSES[2][1])),
        (f"under by {t:g}–{2 * t:g} %", QColor(DEVIATION_CLASSES[1][1])),
        (f"under by more than {2 * t:g} %", QColor(DEVIATION_CLASSES[0][1])),
        ("no value", QColor(NO_VALUE)),
    ]


def ramp_colours(ramp: str, n: int) -> list[QColor]:
    """``n`` colours sampled evenly from a named colour map."""
    try:
        cmap = pg.colormap.get(ramp)
    except (FileNotFoundError, KeyError, ValueError):
        cmap = pg.colormap.get("viridis")
    if n <= 1:
        return [cmap.map(0.5, mode="qcolor")]
    return [cmap.map(i / (n - 1), mode="qcolor") for i in range(n)]


def class_breaks(values: npt.NDArray[np.float64], classes: int) -> npt.NDArray[np.float64]:
    """Quantile breaks (``classes + 1`` edges) over the finite values."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return np.zeros(2)
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, max(1, classes) + 1)))
    return edges if len(edges) >= 2 else np.array([edges[0], edges[0]])


def classify(values: npt.NDArray[np.float64], edges: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    """Class index per value (-1 for NaN)."""
    k = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, max(0, len(edges) - 2))
    return np.where(np.isfinite(values), k, -1).astype(np.intp)


def format_number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

"""The map canvas: a pyqtgraph view showing units, territories, accounts and reference
layers from one cached, batch-painted image, with map tools for navigation and picking."""

from terradesk.ui.canvas.state import LayerState, LayerStyle, Selection
from terradesk.ui.canvas.tools import IdentifyTool, MapMouseEvent, MapTool, PanTool, SelectTool, ZoomBoxTool
from terradesk.ui.canvas.widget import MapCanvas

__all__ = [
    "IdentifyTool", "LayerState", "LayerStyle", "MapCanvas", "MapMouseEvent", "MapTool", "PanTool",
    "SelectTool", "Selection", "ZoomBoxTool",
]

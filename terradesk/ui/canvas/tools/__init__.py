"""Map tools, one per module, sharing :class:`MapTool`."""

from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool
from terradesk.ui.canvas.tools.pan import PanTool
from terradesk.ui.canvas.tools.select import IdentifyTool, SelectTool
from terradesk.ui.canvas.tools.zoom_box import ZoomBoxTool

__all__ = ["IdentifyTool", "MapMouseEvent", "MapTool", "PanTool", "SelectTool", "ZoomBoxTool"]

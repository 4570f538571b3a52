"""Map tools, one per module, sharing :class:`MapTool`."""

from terradesk.ui.canvas.tools.assign_base import AssignSettings, AssignToolBase
from terradesk.ui.canvas.tools.assign_box import BoxAssignTool, BoxSelectTool
from terradesk.ui.canvas.tools.assign_brush import BrushTool
from terradesk.ui.canvas.tools.assign_click import AssignClickTool
from terradesk.ui.canvas.tools.assign_lasso import LassoAssignTool, LassoSelectTool
from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool
from terradesk.ui.canvas.tools.pan import PanTool
from terradesk.ui.canvas.tools.select import IdentifyTool, SelectTool
from terradesk.ui.canvas.tools.zoom_box import ZoomBoxTool

__all__ = [
    "AssignClickTool", "AssignSettings", "AssignToolBase", "BoxAssignTool", "BoxSelectTool", "BrushTool",
    "IdentifyTool", "LassoAssignTool", "LassoSelectTool", "MapMouseEvent", "MapTool", "PanTool", "SelectTool",
    "ZoomBoxTool",
]

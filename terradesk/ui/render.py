"""Headless rendering: the same picture as the canvas, without showing a window.

Used by ``terradesk-cli render`` and by tests. A QApplication is created on demand
(offscreen when no display is available).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from terradesk.model import Project


def ensure_app() -> QCoreApplication:
    """The running QApplication, or a new one (offscreen if there is no display)."""
    app = QApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def render_project(project: Project, width: int = 1600, height: int = 1000, alignment: str | None = None) -> QImage:
    """Render ``project`` at full extent. ``alignment`` (a name) switches the active
    alignment first (view state, not an edit); an unknown name raises KeyError."""
    ensure_app()
    from terradesk.ui.canvas import MapCanvas

    if alignment is not None:
        al = project.alignment_by_name(alignment)
        if al is None:
            names = ", ".join(a.name for a in project.alignments.values()) or "none"
            raise KeyError(f"no alignment named {alignment!r} (the project has: {names})")
        project.set_active_alignment(al.id)
    canvas = MapCanvas()
    canvas.set_project(project)
    try:
        return canvas.render_image(width, height)
    finally:
        canvas.set_project(None)
        canvas.deleteLater()


def render_to_file(project: Project, path: str, width: int = 1600, height: int = 1000, alignment: str | None = None) -> None:
    """Write a PNG (or SVG by suffix) of the project."""
    ensure_app()
    from terradesk.ui.canvas import MapCanvas

    if path.lower().endswith(".svg"):
        if alignment is not None:
            render_project(project, 1, 1, alignment)  # validates and switches the alignment
        canvas = MapCanvas()
        canvas.set_project(project)
        try:
            canvas.export_image(path, width, height)
        finally:
            canvas.set_project(None)
            canvas.deleteLater()
        return
    image = render_project(project, width, height, alignment)
    if not image.save(path):
        raise OSError(f"could not write {path}")

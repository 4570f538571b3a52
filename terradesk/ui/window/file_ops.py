"""File menu behaviour: new, open (dialog, recent, drop), save, save as, close, export.

Errors from the file layer are ``TerraDeskError`` subclasses with a planner-readable
sentence; they are shown in a message box, never as a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from terradesk.io.errors import FileChangedError, TerraDeskError
from terradesk.model import Alignment, Project
from terradesk.ui.workers import run_with_progress

if TYPE_CHECKING:
    from terradesk.ui.settings import Settings
    from terradesk.ui.undo import UndoStack

PROJECT_FILTER = "TerraDesk projects (*.gpkg)"
LAYER_FILTER = "Vector files (*.gpkg *.shp *.geojson *.json *.kml);;All files (*)"
IMAGE_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"


def _open_project(path: str) -> Any:
    from terradesk.io.gpkg import open_project

    return open_project(path)


def _save_project(project: Project, path: str, expected: Any = None) -> Any:
    """Check the file on disk (changed by others? locked?), then save atomically."""
    from terradesk.io.guard import save_checked

    return save_checked(project, path, expected)


def _demo_project() -> Project:
    from terradesk.io.demo import generate_demo

    return generate_demo()


def empty_project() -> Project:
    """What File > New gives: no units yet, one empty plan ready to fill."""
    project = Project()
    project.insert_alignment(Alignment(name="Plan 1"))
    return project


class FileOpsMixin:
    """Mixed into MainWindow; relies on the attributes declared below."""

    project: Project | None
    path: Path | None
    undo: UndoStack
    settings: Settings
    canvas: Any
    file_identity: Any = None  # FileIdentity of self.path when opened or last saved (terradesk.io.guard)

    def set_project(self, project: Project | None, path: Path | None = None) -> None:
        raise NotImplementedError

    def _window(self) -> QMainWindow:
        assert isinstance(self, QMainWindow)
        return self

    def _status(self, text: str) -> None:
        self._window().statusBar().showMessage(text, 5000)

    def _error(self, title: str, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, TerraDeskError | OSError | ValueError) else f"Unexpected error: {exc}"
        QMessageBox.critical(self._window(), title, text or type(exc).__name__)

    # -- unsaved changes ------------------------------------------------------------------
    def display_name(self) -> str:
        if self.project is None:
            return ""
        return self.path.name if self.path is not None else self.project.meta.name

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded, or none)."""
        if self.project is None or self.undo.is_clean:
            return True
        answer = QMessageBox.question(
            self._window(), "Unsaved changes",
            f"Save the changes to “{self.display_name()}” before closing it?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -- new / open -------------------------------------------------------------------------
    def new_project(self) -> None:
        if self.maybe_save():
            self.set_project(empty_project(), None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.path.parent) if self.path else (self.settings.recent_files() or [""])[0]
        path, _ = QFileDialog.getOpenFileName(self._window(), "Open project", str(Path(start).parent) if start else "",
                                              PROJECT_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a project file (worker thread + progress); False if cancelled or failed."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            result = run_with_progress(self._window(), f"Opening {path.name}…", _open_project, str(path))
        except Exception as exc:
            self._error("Cannot open project", exc)
            return False
        self.set_project(result.project, path)
        self.file_identity = getattr(result, "identity", None)
        self.settings.add_recent_file(path)
        self.refresh_recent_menu()
        warnings = list(getattr(result, "warnings", []) or [])
        if warnings:
            QMessageBox.warning(self._window(), "Opened with warnings", "\n".join(str(w) for w in warnings[:20]))
        self._status(f"Opened {path.name}")
        return True

    def open_demo(self) -> bool:
        try:
            project = run_with_progress(self._window(), "Building the demo project…", _demo_project)
        except Exception as exc:
            self._error("Cannot build the demo", exc)
            return False
        self.set_project(project, None)
        return True

    def open_demo_checked(self) -> None:
        """File > Open Demo Project: like open_demo, but asks about unsaved changes first."""
        if self.maybe_save():
            self.open_demo()

    def open_recent(self, path: str) -> None:
        if not Path(path).exists():
            QMessageBox.warning(self._window(), "File not found", f"{path} no longer exists; removed from the list.")
            self.settings.remove_recent_file(path)
            self.refresh_recent_menu()
            return
        self.open_path(path)

    def clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self.refresh_recent_menu()

    def refresh_recent_menu(self) -> None:
        raise NotImplementedError

    # -- save ---------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.project is None:
            return False
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self) -> bool:
        if self.project is None:
            return False
        suggestion = str(self.path) if self.path else f"{self.project.meta.name}.gpkg"
        path, _ = QFileDialog.getSaveFileName(self._window(), "Save project as", suggestion, PROJECT_FILTER)
        if not path:
            return False
        target = Path(path)
        if target.suffix.lower() != ".gpkg":
            target = target.with_name(target.name + ".gpkg")
        return self._save_to(target)

    def _save_to(self, path: Path) -> bool:
        assert self.project is not None
        same = self.path is not None and Path(path).absolute() == Path(self.path).absolute()
        expected = self.file_identity if same else None
        args = (self.project, str(path)) if expected is None else (self.project, str(path), expected)
        try:
            identity = run_with_progress(self._window(), f"Saving {path.name}…", _save_project, *args)
        except FileChangedError as exc:
            return self._file_changed(path, exc)
        except Exception as exc:
            self._error("Cannot save project", exc)
            return False
        self.path = path
        self.file_identity = identity
        self.undo.set_clean()
        self.settings.add_recent_file(path)
        self.refresh_recent_menu()
        self.update_title()
        self._status(f"Saved {path.name}")
        return True

    def _file_changed(self, path: Path, exc: FileChangedError) -> bool:
        """Someone else changed the file since we read it: Save As, Reload, or Cancel (never overwrite)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "File changed on disk", str(exc), parent=self._window())
        save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
        reload = box.addButton("Reload", QMessageBox.ButtonRole.DestructiveRole) if path.exists() else None
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is save_as:
            return self.save_as()
        if reload is not None and box.clickedButton() is reload:
            self.open_path(path, ask=False)
        return False

    def update_title(self) -> None:
        raise NotImplementedError

    def close_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.set_project(None, None)
        return True

    # -- layers and export ---------------------------------------------------------------------
    def add_reference_layer(self) -> None:
        if self.project is None:
            return
        path, _ = QFileDialog.getOpenFileName(self._window(), "Add reference layer", "", LAYER_FILTER)
        if not path:
            return
        try:
            self.canvas.add_reference_layer(path)
        except Exception as exc:
            self._error("Cannot add the layer", exc)
            return
        self._status(f"Added {Path(path).name}")

    def export_image(self) -> None:
        if self.project is None:
            return
        name = (self.path.stem if self.path else self.project.meta.name) + ".png"
        if self.path is not None:  # suggest the project's folder, not the working directory
            name = str(self.path.with_name(name))
        path, chosen = QFileDialog.getSaveFileName(self._window(), "Export map image", name, IMAGE_FILTER)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".png", ".svg"):
            target = target.with_suffix(".svg" if "svg" in chosen.lower() else ".png")
        w = int(self.settings.preference("export_width"))  # type: ignore[call-overload]
        h = int(self.settings.preference("export_height"))  # type: ignore[call-overload]
        try:
            self.canvas.export_image(str(target), w, h)
        except Exception as exc:
            self._error("Cannot export the map", exc)
            return
        self._status(f"Exported {target.name} ({w}×{h})")

"""Shared fixtures for the main-window tests (no tests here).

Every window gets its own temporary INI settings file, a placeholder canvas (the real
canvas has its own tests) and fake open/save functions so these tests do not depend on
the file layer; one round-trip test uses the real GeoPackage code when it is present.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from terradesk.io.errors import NotGeoPackageError
from terradesk.model import Project
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
from terradesk.ui.window import file_ops
from terradesk.ui.window.placeholder import PlaceholderCanvas
from tests.factories import grid_project


class FakeFiles:
    """In-memory stand-in for terradesk.io.gpkg: records saves, serves opens."""

    def __init__(self) -> None:
        self.saved: dict[str, Project] = {}
        self.files: dict[str, Project] = {}
        self.opened: list[str] = []

    def open(self, path: str) -> Any:
        self.opened.append(path)
        if path not in self.files:
            raise NotGeoPackageError(f"{Path(path).name} is not a GeoPackage")
        return SimpleNamespace(project=self.files[path], warnings=[], identity=None)

    def save(self, project: Project, path: str) -> Any:
        Path(path).write_bytes(b"fake")
        self.saved[path] = project
        return None


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "terradesk.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def fake_files(monkeypatch: pytest.MonkeyPatch) -> FakeFiles:
    fake = FakeFiles()
    monkeypatch.setattr(file_ops, "_open_project", fake.open)
    monkeypatch.setattr(file_ops, "_save_project", fake.save)
    return fake


@pytest.fixture
def window(qtbot: Any, settings: Settings, fake_files: FakeFiles) -> Iterator[MainWindow]:
    win = MainWindow(settings=settings, canvas=PlaceholderCanvas())
    win.set_project(grid_project(), None)
    yield win
    win.undo.set_clean()  # closing at teardown must not ask about unsaved changes
    win.close()
    win.deleteLater()


def answer(monkeypatch: pytest.MonkeyPatch, button: Any) -> list[str]:
    """Make QMessageBox.question return ``button``; returns the list of asked texts."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def fake(parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", staticmethod(fake))
    return asked

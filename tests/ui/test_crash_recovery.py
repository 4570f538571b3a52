"""For real: start TerraDesk on a project, edit through its undo stack, SIGKILL it,
start it again, click Restore, and get every edit back (as unsaved changes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from terradesk.io.gpkg import open_project, save_project
from tests.factories import grid_project

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

EDIT_SCRIPT = """
import numpy as np
from terradesk.edit import add_owner, assign_units, rename_territory, set_project_meta
from terradesk.io.gpkg import save_project

project = window.project
al = project.active_alignment
first, second = list(al.territories)[:2]
window.undo.push(rename_territory(project, al.id, first, "Renamed before the crash"))
window.undo.push(assign_units(project, al.id, np.arange(0, 24, 6), second))
window.undo.push(add_owner(project, "Grace", role="partner", capacity=12.0))
window.undo.push(set_project_meta(project, "name", "Crash test plan"))
save_project(project, {expected!r}, keep_backup=False)  # what the planner had on screen
open({marker!r}, "w").write("edited")
"""

RESTORE_SCRIPT = """
import json
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from terradesk.io.gpkg import save_project

seen = []

def poll():
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == "Restore":
                button.click()
                QTimer.singleShot(300, report)
                return
    QTimer.singleShot(50, poll)

def report():
    state = {{"path": str(window.path), "clean": window.undo.is_clean, "dialog": seen,
              "identity": getattr(window.file_identity, "sha256", None)}}
    save_project(window.project, {restored!r}, keep_backup=False)
    open({marker!r}, "w").write(json.dumps(state))
    QTimer.singleShot(0, window.close)  # the planner closes TerraDesk...
    QTimer.singleShot(50, discard)

def discard():  # ...and answers Discard to "Save the changes?": a clean exit
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        box.button(QMessageBox.StandardButton.Discard).click()
        return
    QTimer.singleShot(50, discard)

poll()
"""


def _env(tmp_path: Path, script: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", QT_LOGGING_RULES="*.debug=false;qt.qpa.*=false",
               TERRADESK_RECOVERY_DIR=str(tmp_path / "rec"), TERRADESK_AUTOSAVE_SECONDS="1",
               TERRADESK_AUTOSAVE_IDLE_SECONDS="0.3", TERRADESK_TEST_SCRIPT=str(script),
               HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
               XDG_DATA_HOME=str(tmp_path / "home" / ".local"), PYTHONPATH=str(ROOT))
    return env


def _start(tmp_path: Path, doc: Path, script: Path) -> subprocess.Popen[bytes]:
    (tmp_path / "home").mkdir(exist_ok=True)
    with open(tmp_path / f"{script.stem}.log", "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "terradesk", str(doc)], cwd=ROOT,
                                env=_env(tmp_path, script), stdout=subprocess.DEVNULL, stderr=log)


def _wait(predicate, seconds: float, proc: subprocess.Popen[bytes]) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        assert proc.poll() is None, "TerraDesk exited early"
        time.sleep(0.05)
    raise AssertionError("timed out")


def _snapshot_after(folder: Path, moment: float) -> bool:
    return any(p.stat().st_mtime > moment and p.with_name(p.name + ".json").exists() for p in folder.glob("*.gpkg"))


def test_sigkill_then_restore_every_edit(tmp_path: Path) -> None:
    doc = tmp_path / "plan.gpkg"
    save_project(grid_project(), doc)
    original = doc.read_bytes()
    expected, restored = tmp_path / "expected.gpkg", tmp_path / "restored.gpkg"
    edited, reported = tmp_path / "edited.txt", tmp_path / "report.json"
    edit = tmp_path / "edit.py"
    edit.write_text(EDIT_SCRIPT.format(expected=str(expected), marker=str(edited)))
    restore = tmp_path / "restore.py"
    restore.write_text(RESTORE_SCRIPT.format(restored=str(restored), marker=str(reported)))

    first = _start(tmp_path, doc, edit)
    try:
        _wait(edited.exists, 60, first)
        moment = edited.stat().st_mtime
        _wait(lambda: _snapshot_after(tmp_path / "rec", moment), 20, first)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL
    assert doc.read_bytes() == original  # autosave never touched the planner's file

    second = _start(tmp_path, doc, restore)
    try:
        _wait(reported.exists, 60, second)
        second.wait(timeout=30)
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()
    report = json.loads(reported.read_text())
    assert report["dialog"] and "did not close properly" in report["dialog"][0]
    assert report["path"] == str(doc) and report["clean"] is False
    assert report["identity"] == open_project(doc).identity.sha256
    assert open_project(restored).project.state() == open_project(expected).project.state()
    recovered = open_project(restored).project
    assert recovered.meta.name == "Crash test plan"
    assert recovered.owner_by_name("Grace") is not None
    al = recovered.active_alignment
    assert al is not None and "Renamed before the crash" in [t.name for t in al.territories.values()]
    assert doc.read_bytes() == original
    assert second.returncode == 0
    assert [p.name for p in (tmp_path / "rec").iterdir()] == []  # clean exit removed the snapshots

"""Autosave in a worker thread: the window keeps working while a (slowed) snapshot writes."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from terradesk.io.gpkg import open_project, save_project
from terradesk.io.recovery import Recovery, RecoveryStore
from terradesk.ui.recovery import ENV_IDLE, ENV_INTERVAL, RecoveryController, install_recovery
from tests.factories import grid_project
from tests.ui.test_recovery import FakeWindow, _rename


@pytest.fixture
def opened(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeWindow, RecoveryController]]:
    monkeypatch.setenv(ENV_INTERVAL, "3600")
    monkeypatch.setenv(ENV_IDLE, "3600")  # snapshots only when the test asks
    doc = tmp_path / "plan.gpkg"
    ident = save_project(grid_project(), doc)
    window = FakeWindow()
    qtbot.addWidget(window)
    window.set_project(open_project(doc).project, doc)
    window.file_identity = ident
    controller = install_recovery(window, RecoveryStore(tmp_path / "rec"))
    yield window, controller
    controller.shutdown()


def _slow_writes(controller: RecoveryController, seconds: float) -> list[str]:
    """Make every snapshot take ``seconds`` longer (sleeping off the GIL, as disk waits do)."""
    real: Callable[..., Recovery] = controller.store.write
    names: list[str] = []

    def slow(project: Any, original: Any, **kw: Any) -> Recovery:
        cancel: threading.Event | None = kw.get("cancel")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (cancel is not None and cancel.is_set()):
            time.sleep(0.01)
        names.append(project.active_alignment.territories[next(iter(project.active_alignment.territories))].name)
        return real(project, original, **kw)

    controller.store.write = slow  # type: ignore[method-assign]
    return names


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_the_window_keeps_processing_events_while_a_snapshot_writes(opened: Any, qtbot: Any) -> None:
    window, controller = opened
    written = _slow_writes(controller, 0.6)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    _rename(window, "First")
    start = time.perf_counter()
    assert controller.snapshot_now() is None  # scheduled, not written on this thread
    assert time.perf_counter() - start < 0.25 and controller.busy
    _rename(window, "Second")  # editing goes on while the copy is written...
    _rename(window, "Third")
    controller.snapshot_now()  # ...and the new requests coalesce into one more snapshot
    controller.snapshot_now()
    with qtbot.waitSignal(controller.snapshot_written, timeout=10_000) as first:
        pass
    assert written == ["First"]  # the frozen copy, not the state at write time
    assert len(ticks) >= 15, "the event loop stalled while the snapshot was written"
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.3
    with qtbot.waitSignal(controller.snapshot_written, timeout=10_000) as second:
        pass
    timer.stop()
    assert written == ["First", "Third"]
    assert first.args[0] != second.args[0]
    assert open_project(second.args[0]).project.state() == window.project.state()
    qtbot.wait(100)
    assert not controller.busy and written == ["First", "Third"]


def test_a_clean_exit_cancels_the_snapshot_being_written(opened: Any, qtbot: Any, tmp_path: Path) -> None:
    window, controller = opened
    _slow_writes(controller, 30.0)
    _rename(window, "Exit now")
    controller.snapshot_now()
    assert controller.busy
    start = time.perf_counter()
    controller.shutdown()
    assert time.perf_counter() - start < 5.0
    assert not controller.busy
    assert [n for n in _files(tmp_path / "rec") if not n.endswith(".lock")] == []
    assert _files(tmp_path / "rec") == []
    _rename(window, "After exit")
    assert controller.snapshot_now() is None


def test_a_snapshot_that_ends_after_a_save_is_thrown_away(opened: Any, qtbot: Any, tmp_path: Path) -> None:
    window, controller = opened
    _slow_writes(controller, 0.3)
    _rename(window, "Saved meanwhile")
    controller.snapshot_now()
    save_project(window.project, window.path)
    window.undo.set_clean()
    assert controller.wait(10.0)
    qtbot.wait(50)
    assert [n for n in _files(tmp_path / "rec") if n.endswith(".gpkg")] == []
    assert controller.last is None


def test_wait_writes_on_the_spot(opened: Any) -> None:
    window, controller = opened
    _rename(window, "Now")
    rec = controller.snapshot_now(wait=True)
    assert rec is not None and controller.last == rec and not controller.busy
    assert open_project(controller.store.path_of(rec)).project.state() == window.project.state()

"""Recovery snapshots: written beside nothing of the planner's, rotated, offered after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from terradesk.edit import History, rename_territory
from terradesk.io.gpkg import open_project, save_project
from terradesk.io.recovery import ENV_DIR, RecoveryStore, default_folder, session_alive
from terradesk.model import Project
from tests.factories import grid_project


def _edit(project: Project, name: str) -> None:
    al = project.active_alignment
    assert al is not None
    History(project).push(rename_territory(project, al.id, next(iter(al.territories)), name))


def _crashed_session(folder: Path, original: Path | None, project: Project, snapshots: int = 1) -> None:
    """Write snapshots from another process that then dies without a clean exit."""
    src = folder.parent / "in.gpkg"
    save_project(project, src, keep_backup=False)
    code = (
        "import os, sys\n"
        "from terradesk.io.gpkg import open_project\n"
        "from terradesk.io.recovery import RecoveryStore\n"
        f"p = open_project({str(src)!r}).project\n"
        f"s = RecoveryStore({str(folder)!r})\n"
        f"for i in range({snapshots}): s.write(p, {None if original is None else str(original)!r}, note=f'edit {{i}}')\n"
        "os._exit(9)\n"  # no close(): like a crash, the OS releases the session lock
    )
    subprocess.run([sys.executable, "-c", code], check=False, cwd=Path(__file__).parents[2])
    src.unlink()


def test_default_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "rec"))
    assert default_folder() == tmp_path / "rec"
    monkeypatch.delenv(ENV_DIR)
    assert default_folder().parts[-2:] == ("TerraDesk", "recovery")


def test_snapshot_never_touches_the_planners_file(tmp_path: Path) -> None:
    project = grid_project()
    doc = tmp_path / "plan.gpkg"
    ident = save_project(project, doc)
    before = doc.read_bytes()
    _edit(project, "Unsaved")
    revision = project.meta.revision_id
    store = RecoveryStore(tmp_path / "rec")
    rec = store.write(project, doc, base=ident, note="1 change")
    assert doc.read_bytes() == before
    assert project.meta.revision_id == revision  # a snapshot is not a new revision of the document
    assert store.path_of(rec).parent == tmp_path / "rec"
    assert open_project(store.path_of(rec)).project.state() == project.state()
    store.close()


def test_rotation_keeps_the_last_few(tmp_path: Path) -> None:
    project = grid_project()
    store = RecoveryStore(tmp_path / "rec", keep=3)
    for i in range(6):
        _edit(project, f"v{i}")
        store.write(project, tmp_path / "plan.gpkg")
    store.write(grid_project(nx=2), None)  # another document is rotated on its own
    files = sorted(p.name for p in (tmp_path / "rec").glob("*.gpkg"))
    assert len(files) == 4
    assert [f[-10:] for f in files if f.endswith(("4.gpkg", "5.gpkg", "6.gpkg"))] == [
        "00004.gpkg", "00005.gpkg", "00006.gpkg"]
    store.close()
    assert list((tmp_path / "rec").iterdir()) == []  # a clean exit removes everything


def test_a_live_session_is_not_offered(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    running = RecoveryStore(folder)
    running.write(grid_project(), tmp_path / "plan.gpkg")
    assert session_alive(folder / f"{running.session}.lock")
    assert RecoveryStore(folder).list_recoveries() == []
    running.close()


def test_after_a_crash_the_latest_snapshot_is_offered_and_restored(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    project = grid_project()
    doc = tmp_path / "plan.gpkg"
    save_project(project, doc)
    _edit(project, "After crash")
    _crashed_session(folder, doc, project, snapshots=4)
    store = RecoveryStore(folder)
    [rec] = store.list_recoveries()
    assert rec.original == str(doc) and rec.note == "edit 3" and rec.seq == 4
    assert rec.newer_than_document()
    restored = store.load(rec)
    assert restored.state() == project.state()
    store.discard(rec)
    assert store.list_recoveries() == [] and list(folder.iterdir()) == []


def test_an_untitled_project_is_offered(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    _crashed_session(folder, None, grid_project())
    [rec] = RecoveryStore(folder).list_recoveries()
    assert rec.original is None and rec.document.startswith("untitled:")


def test_a_document_saved_after_the_snapshot_is_not_offered(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    doc = tmp_path / "plan.gpkg"
    project = grid_project()
    save_project(project, doc)
    _crashed_session(folder, doc, project)
    rec = RecoveryStore(folder).list_recoveries()[0]
    os.utime(doc, (rec.saved_at + 10, rec.saved_at + 10))
    store = RecoveryStore(folder)
    assert store.list_recoveries() == []
    assert store.prune_stale() == 1
    assert list(folder.iterdir()) == []


def test_a_deleted_document_is_still_offered(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    doc = tmp_path / "plan.gpkg"
    save_project(grid_project(), doc)
    _crashed_session(folder, doc, grid_project())
    doc.unlink()
    assert len(RecoveryStore(folder).list_recoveries()) == 1


def test_damaged_records_are_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    (folder / "x-1-00001.gpkg.json").write_text("{not json")
    (folder / "y-1-00001.gpkg.json").write_text('{"snapshot": "missing.gpkg"}')
    assert RecoveryStore(folder).list_recoveries() == []

"""Saving is atomic: a failure at any step leaves the old file or the new one, never neither."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from terradesk.io.errors import SaveError
from terradesk.io.gpkg import open_project, save_project
from tests.factories import grid_project
from tests.io.test_gpkg_roundtrip import validate

STEPS = [
    "create", "write:units", "write:alignments", "write:territories", "write:assignments", "write:accounts",
    "write:owners", "write:pins", "write:terradesk_project", "write:gpkg_contents", "write:layer_styles",
    "write:rtree_triggers", "commit", "vacuum", "check", "fsync", "backup", "replace",
]


def _fail_at(step: str, exc: BaseException | None = None):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def fault(name: str) -> None:
        seen.append(name)
        if name == step:
            raise exc or OSError(errno.EIO, f"injected failure at {step}")

    return fault, seen


def _visible(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_every_step_is_reported_to_the_fault_hook(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    save_project(grid_project(), path)
    fault, seen = _fail_at("never")
    save_project(grid_project(), path, _fault=fault)
    assert set(STEPS) | {"fsync_dir"} == set(seen)


@pytest.mark.parametrize("step", STEPS)
def test_failure_at_each_step_keeps_the_old_file(tmp_path: Path, step: str) -> None:
    path = tmp_path / "p.gpkg"
    old = grid_project(accounts=5)
    save_project(old, path)
    old_bytes = path.read_bytes()
    project = grid_project(accounts=5)
    project.meta.name = "Changed"
    before_state, before_rev = project.state(), project.meta.revision_id
    fault, _ = _fail_at(step)
    with pytest.raises(SaveError, match=r"Could not save p\.gpkg"):
        save_project(project, path, _fault=fault)
    assert path.read_bytes() == old_bytes
    assert project.state() == before_state and project.meta.revision_id == before_rev
    assert [n for n in _visible(tmp_path) if n not in ("p.gpkg", "p.gpkg.bak")] == []
    assert open_project(path).project.meta.name == "Grid"


def test_a_crash_mid_write_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    save_project(grid_project(), path)
    old_bytes = path.read_bytes()
    fault, _ = _fail_at("write:accounts", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        save_project(grid_project(), path, _fault=fault)
    assert path.read_bytes() == old_bytes and _visible(tmp_path) == ["p.gpkg"]


def test_failure_after_the_rename_keeps_the_new_file(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    save_project(grid_project(), path)
    project = grid_project()
    project.meta.name = "New"
    fault, _ = _fail_at("fsync_dir")
    ident = save_project(project, path, _fault=fault)  # the new file is in place: the save counts
    assert open_project(path).project.meta.name == "New"
    assert project.meta.revision_id == ident.revision_id


def test_previous_file_is_kept_as_backup(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    first = grid_project()
    save_project(first, path)
    first_bytes = path.read_bytes()
    second = grid_project()
    second.meta.name = "Second"
    ident = save_project(second, path)
    assert (tmp_path / "p.gpkg.bak").read_bytes() == first_bytes
    assert _visible(tmp_path) == ["p.gpkg", "p.gpkg.bak"]
    assert second.meta.revision_id == ident.revision_id != first.meta.revision_id
    validate(path)
    save_project(second, tmp_path / "q.gpkg", keep_backup=False)
    save_project(second, tmp_path / "q.gpkg", keep_backup=False)
    assert "q.gpkg.bak" not in _visible(tmp_path)


def test_revision_changes_only_on_success(tmp_path: Path) -> None:
    p = grid_project()
    rev = p.meta.revision_id
    ident = save_project(p, tmp_path / "p.gpkg")
    assert p.meta.revision_id == ident.revision_id != rev
    assert open_project(tmp_path / "p.gpkg").identity == ident


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "no permission to write"),
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
        (sqlite3.OperationalError("database or disk is full"), "the disk is full"),
        (OSError(errno.EROFS, "Read-only file system"), "read-only disk"),
    ],
)
def test_os_errors_give_clear_messages(tmp_path: Path, exc: BaseException, message: str) -> None:
    path = tmp_path / "p.gpkg"
    save_project(grid_project(), path)
    old = path.read_bytes()
    for step in ("create", "write:accounts", "replace"):
        fault, _ = _fail_at(step, exc)
        with pytest.raises(SaveError, match=message):
            save_project(grid_project(), path, _fault=fault)
        assert path.read_bytes() == old
    assert [n for n in _visible(tmp_path) if not n.startswith("p.gpkg")] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions (covered by injected errors)")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(SaveError, match="Could not save"):
            save_project(grid_project(), folder / "p.gpkg")
    finally:
        folder.chmod(0o755)


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="is a folder"):
        save_project(grid_project(), tmp_path)
    with pytest.raises(SaveError, match="does not exist"):
        save_project(grid_project(), tmp_path / "missing" / "p.gpkg")
    p = grid_project()
    p.meta.crs = "EPSG:999999"
    with pytest.raises(SaveError, match="unknown coordinate reference system"):
        save_project(p, tmp_path / "p.gpkg")
    assert _visible(tmp_path) == []

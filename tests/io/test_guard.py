"""Before saving over a file: someone else's changes, locks, read-only places, a full disk.

In every refusal the in-memory project and the old file stay exactly as they were.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from terradesk.edit import History, rename_territory
from terradesk.io.errors import FileChangedError, FileLockedError, SaveError, TerraDeskError
from terradesk.io.gpkg import FileIdentity, open_project, save_project
from terradesk.io.guard import check_unchanged, file_revision, save_checked
from terradesk.model import Project
from tests.factories import grid_project


def _saved(tmp_path: Path) -> tuple[Project, Path, FileIdentity]:
    project = grid_project(accounts=5)
    path = tmp_path / "plan.gpkg"
    ident = save_project(project, path)
    return project, path, ident


def _edit(project: Project) -> None:
    al = project.active_alignment
    assert al is not None
    History(project).push(rename_territory(project, al.id, next(iter(al.territories)), "Edited"))


def _refused(project: Project, path: Path, ident: FileIdentity | None, exc: type[TerraDeskError], match: str) -> str:
    """save_checked must refuse, leaving the project and the file bytes untouched."""
    state, revision = project.state(), project.meta.revision_id
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(exc, match=match) as info:
        save_checked(project, path, ident)
    assert project.state() == state and project.meta.revision_id == revision
    assert (path.read_bytes() if path.exists() else None) == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    return str(info.value)


def test_saving_again_over_our_own_file(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    _edit(project)
    new = save_checked(project, path, ident)
    assert new.revision_id == project.meta.revision_id == file_revision(path) != ident.revision_id
    assert open_project(path).project.state() == project.state()


def test_a_touched_but_unchanged_file_is_not_a_conflict(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    os.utime(path, ns=(ident.mtime_ns + 5_000_000_000, ident.mtime_ns + 5_000_000_000))
    assert check_unchanged(path, ident) is not None
    save_checked(project, path, ident)


def test_saved_by_another_terradesk(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    theirs = open_project(path).project
    _edit(theirs)
    save_project(theirs, path)
    _edit(project)
    text = _refused(project, path, ident, FileChangedError, "another TerraDesk")
    assert "Save As" in text and "Reload" in text
    assert open_project(path).project.state() == theirs.state()


def test_changed_by_another_program(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE owners SET email = 'qgis@example.org'")
    conn.close()
    _refused(project, path, ident, FileChangedError, "another program")


def test_replaced_by_another_file(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    other = tmp_path / "other.gpkg"
    save_project(grid_project(nx=3), other)
    os.replace(other, path)
    _refused(project, path, ident, FileChangedError, "since you opened it")


def test_moved_or_deleted(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    os.rename(path, tmp_path / "elsewhere.gpkg")
    text = _refused(project, path, ident, FileChangedError, "moved, renamed or deleted")
    assert not path.exists() and "Save As" in text


def test_save_as_to_a_new_place_needs_no_identity(tmp_path: Path) -> None:
    project, _, _ = _saved(tmp_path)
    ident = save_checked(project, tmp_path / "copy.gpkg", None)
    assert ident.path.endswith("copy.gpkg")


@pytest.mark.parametrize("sidecar", ["-journal", "-wal", "-shm"])
def test_sidecar_files_of_another_program(tmp_path: Path, sidecar: str) -> None:
    project, path, ident = _saved(tmp_path)
    (tmp_path / ("plan.gpkg" + sidecar)).write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\x00" * 504)
    text = _refused(project, path, ident, FileLockedError, "another program")
    assert "Save As" in text


def test_an_empty_journal_is_not_hot(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    (tmp_path / "plan.gpkg-journal").write_bytes(b"")
    save_checked(project, path, ident)


@contextmanager
def _other_process(path: Path, statements: str) -> Iterator[subprocess.Popen[str]]:
    """Another program holding the file: runs ``statements`` and waits until killed."""
    code = (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        f"for s in {statements!r}.split(';'): c.execute(s).fetchall()\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.skipif(sys.platform not in ("linux", "darwin"), reason="lock probe uses POSIX F_GETLK")
def test_a_writer_holding_the_lock(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    with _other_process(path, "BEGIN IMMEDIATE") as proc:
        text = _refused(project, path, ident, FileLockedError, "writing to it right now")
        assert str(proc.pid) in text


def test_a_program_editing_in_wal_mode(tmp_path: Path) -> None:
    """What QGIS does when it edits a GeoPackage: WAL mode, -wal and -shm beside the file."""
    project, path, _ = _saved(tmp_path)
    with _other_process(path, "PRAGMA journal_mode=WAL;UPDATE owners SET email = 'x'"):
        # the other program changed the file too: refuse before even looking at its content
        _refused(project, path, None, FileLockedError, "has it open")


def test_a_reader_does_not_block_saving(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    with _other_process(path, "BEGIN;SELECT count(*) FROM units"):
        save_checked(project, path, ident)


def test_a_read_only_file(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    path.chmod(0o444)
    try:
        _refused(project, path, ident, SaveError, "marked read-only.*Save As")
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_read_only_folder(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    tmp_path.chmod(0o555)
    try:
        _refused(project, path, ident, SaveError, "read-only.*Save As")
    finally:
        tmp_path.chmod(0o755)


def test_disk_full_injected(tmp_path: Path) -> None:
    project, path, ident = _saved(tmp_path)
    _edit(project)
    state, before = project.state(), path.read_bytes()

    def full(step: str) -> None:
        if step == "write:units":
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SaveError, match=r"disk is full.*Free some disk space.*Save As") as info:
        save_checked(project, path, ident, _fault=full)
    assert "unchanged" in str(info.value)
    assert project.state() == state and path.read_bytes() == before
    assert save_checked(project, path, ident).sha256 != ident.sha256  # and it saves once there is room


@contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_disk_full_for_real(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "small", "400k") as folder:
        small = grid_project()
        path = folder / "plan.gpkg"
        ident = save_project(small, path)
        big = grid_project(nx=30, ny=30, accounts=3000)
        _refused(big, path, ident, SaveError, "disk is full.*Free some disk space")
        assert open_project(path).project.state() == small.state()
        assert sorted(p.name for p in folder.iterdir()) == ["plan.gpkg"]


def test_read_only_disk_for_real(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "1m") as folder:
        project = grid_project()
        path = folder / "plan.gpkg"
        ident = save_project(project, path)
        if subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only")
        _edit(project)
        _refused(project, path, ident, SaveError, "read-only disk.*Save As")


def test_a_renamed_and_moved_file_opens_intact(tmp_path: Path) -> None:
    project, path, _ = _saved(tmp_path)
    (tmp_path / "mail").mkdir()
    moved = tmp_path / "mail" / "Plan (1) from Ada.gpkg"
    os.rename(path, moved)
    result = open_project(moved)
    assert result.project.state() == project.state()
    assert result.warnings == []
    with sqlite3.connect(moved.as_uri() + "?mode=ro", uri=True) as conn:
        contents = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
        styled = conn.execute("SELECT f_table_name, f_geometry_column, useAsDefault FROM layer_styles").fetchall()
        geom_cols = dict(conn.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
    conn.close()
    assert {t for t, _, _ in styled} == {"units", "territories", "accounts", "owners"}
    for table, column, default in styled:
        assert table in contents and geom_cols[table] == column and default

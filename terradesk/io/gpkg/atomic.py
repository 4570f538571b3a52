"""Safe save: a complete new file beside the target, checked, fsync'd, then ``os.replace``.

At every moment the target path holds either the complete previous file or the complete
new one. The previous file is kept as ``<name>.gpkg.bak``. ``_fault`` is a test hook
called with each step's name ("create", "write:<table>", "commit", "vacuum", "check",
"fsync", "backup", "replace", "fsync_dir"); raising there simulates a crash or an
OS error at that step.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from terradesk.geo.crs import UnknownCRSError
from terradesk.io.errors import SaveError
from terradesk.io.gpkg import schema
from terradesk.io.gpkg.bulk import gc_paused
from terradesk.io.gpkg.writer import write_project
from terradesk.model import Project, new_id

Fault = Callable[[str], None]


@dataclass(frozen=True)
class FileIdentity:
    """What a saved/opened file was on disk: compare later to notice changes by others."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    revision_id: str


def file_sha256(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def identity_of(path: str | os.PathLike[str], revision_id: str, sha256: str | None = None) -> FileIdentity:
    st = os.stat(path)
    return FileIdentity(os.fspath(path), st.st_size, st.st_mtime_ns, sha256 or file_sha256(path), revision_id)


def _no_fault(step: str) -> None:
    return None


class _HashLater(threading.Thread):
    """sha256 of the written file while the main thread checks and fsyncs it (hashlib releases the GIL)."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="terradesk-sha256", daemon=True)
        self.path = path
        self.sha: str | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.sha = file_sha256(self.path)
        except BaseException as exc:  # handed to the saving thread
            self.error = exc

    def result(self) -> str:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.sha is not None
        return self.sha


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not possible on every platform (Windows), so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)


def _write(tmp: Path, project: Project, revision_id: str, fault: Fault) -> dict[str, int]:
    fault("create")
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        # The temp file is thrown away on any failure, so no journal is needed while building.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -131072")
        with gc_paused():
            counts = write_project(conn, project, revision_id, fault)
        fault("vacuum")
        if conn.execute("PRAGMA freelist_count").fetchone()[0]:
            conn.execute("VACUUM")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    return counts


def _check(tmp: Path, counts: dict[str, int]) -> None:
    """Reopen read-only: SQLite integrity, GeoPackage header and every table's row count."""
    conn = sqlite3.connect(tmp.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]
        if result != "ok":
            raise SaveError(f"the written file failed its integrity check ({result})")
        if conn.execute("PRAGMA application_id").fetchone()[0] != schema.APPLICATION_ID:
            raise SaveError("the written file lost its GeoPackage header")
        for table, expected in counts.items():
            got = conn.execute(f"SELECT count(*) FROM {schema.quote_ident(table)}").fetchone()[0]
            if got != expected:
                raise SaveError(f"the written file has {got} rows in {table}, expected {expected}")
    finally:
        conn.close()


def _backup(target: Path, token: str, fault: Fault) -> None:
    """Keep the previous file as <name>.bak: hard link (instant) or copy, then rename into place."""
    fault("backup")
    bak = target.with_name(target.name + ".bak")
    tmp_bak = target.with_name(f".{target.name}.{token}.bak.tmp")
    try:
        try:
            os.link(target, tmp_bak)
        except OSError:
            shutil.copy2(target, tmp_bak)
            _fsync_file(tmp_bak)
        os.replace(tmp_bak, bak)
    finally:
        _remove(tmp_bak)


def _message(target: Path, exc: BaseException) -> str:
    where = f"Could not save {target.name}"
    if isinstance(exc, SaveError):
        return f"{where}: {exc}"
    if isinstance(exc, UnknownCRSError | ValueError):
        return f"{where}: {exc}"
    if isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM)):
        return f"{where}: no permission to write in {target.parent} (read-only folder or file?)"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"{where}: the disk is full"
    if isinstance(exc, OSError) and exc.errno == errno.EROFS:
        return f"{where}: {target.parent} is on a read-only disk"
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "disk is full" in text or "SQLITE_FULL" in text:
            return f"{where}: the disk is full"
        if "readonly" in text or "unable to open" in text:
            return f"{where}: cannot write in {target.parent} (read-only folder or file?)"
        return f"{where}: database error: {text}"
    if isinstance(exc, OSError):
        return f"{where}: {exc.strerror or exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def save_project(
    project: Project, path: str | os.PathLike[str], *, keep_backup: bool = True, _fault: Fault | None = None
) -> FileIdentity:
    """Write ``project`` to ``path`` atomically; see the module docstring for the steps.

    On success ``project.meta.revision_id`` gets a fresh id (written into the file); on
    failure the project and any previous file are untouched and :class:`SaveError` says why.
    """
    fault = _fault or _no_fault
    target = Path(os.path.abspath(os.fspath(path)))
    if target.is_dir():
        raise SaveError(f"Could not save {target.name}: {target} is a folder")
    if not target.parent.is_dir():
        raise SaveError(f"Could not save {target.name}: the folder {target.parent} does not exist")
    revision_id = new_id()
    token = uuid.uuid4().hex[:8]
    tmp = target.with_name(f".{target.name}.{token}.tmp")
    try:
        counts = _write(tmp, project, revision_id, fault)
        hashing = _HashLater(tmp)  # the file is complete: hash it while it is checked and fsync'd
        try:
            fault("check")
            _check(tmp, counts)
            fault("fsync")
            _fsync_file(tmp)
        finally:
            hashing.join()
        sha = hashing.result()
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
            if keep_backup:
                _backup(target, token, fault)
        fault("replace")
        os.replace(tmp, target)
    except Exception as exc:
        _remove(tmp, tmp.with_name(tmp.name + "-journal"))
        raise SaveError(_message(target, exc)) from exc
    except BaseException:
        _remove(tmp, tmp.with_name(tmp.name + "-journal"))
        raise
    try:  # the new file is in place: from here on, failures cannot undo the save
        fault("fsync_dir")
        _fsync_dir(target.parent)
    except Exception:
        pass
    project.meta.revision_id = revision_id
    return identity_of(target, revision_id, sha)

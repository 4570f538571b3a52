"""Checks on the file on disk before TerraDesk saves over it (no Qt; used by the window).

Saving is atomic (:mod:`terradesk.io.gpkg.atomic`), but an atomic save can still destroy
someone else's work: a colleague may have saved the same file since we opened it, QGIS
may be editing it right now, or a crashed program may have left a hot journal that
SQLite would later replay onto our new file. :func:`save_checked` refuses those cases
with a one-line message that says what to do, and never touches the file while probing:
the probe reads the sidecar files' sizes and asks the kernel which byte-range locks
others hold (``F_GETLK``), which takes no lock and writes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import struct
import sys
from pathlib import Path

from terradesk.io.errors import FileChangedError, FileLockedError, SaveError
from terradesk.io.gpkg import FileIdentity, save_project
from terradesk.io.gpkg.atomic import Fault, file_sha256, identity_of
from terradesk.model import Project

try:
    import fcntl
except ImportError:  # Windows: SQLite's locks there are mandatory, os.replace fails with a clear error
    fcntl = None  # type: ignore[assignment]

#: SQLite's POSIX lock bytes (os_unix.c): PENDING, RESERVED, then the 510-byte SHARED range.
PENDING_BYTE = 0x40000000
RESERVED_BYTE = PENDING_BYTE + 1
SHARED_FIRST = PENDING_BYTE + 2
SHARED_SIZE = 510

#: ``struct flock`` as the kernel lays it out (only where we know the layout).
_FLOCK = {"linux": "hhqqi4x", "darwin": "qqihh"}.get(sys.platform)

KEEP = "Your changes are still open in TerraDesk and the file on disk is unchanged."


def _write_lock_holder(path: Path) -> int | None:
    """PID of another process holding SQLite's RESERVED/PENDING/EXCLUSIVE lock, else None.

    Only asks (F_GETLK): no lock is taken, nothing is written. A plain SHARED (read) lock
    is not reported: readers keep the old file when ours is renamed over it.
    """
    if _FLOCK is None or fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        for start, length in ((PENDING_BYTE, 1), (RESERVED_BYTE, 1), (SHARED_FIRST, SHARED_SIZE)):
            if sys.platform == "darwin":
                req = struct.pack(_FLOCK, start, length, 0, fcntl.F_WRLCK, os.SEEK_SET)
                _, _, pid, ltype, _ = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, req))
            else:
                req = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)
                ltype, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, req))
            if ltype == fcntl.F_WRLCK:
                return int(pid)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None


def check_not_in_use(path: str | os.PathLike[str]) -> None:
    """Refuse when another program is writing the file or left unfinished changes beside it."""
    p = Path(os.path.abspath(os.fspath(path)))
    if not p.exists():
        return
    name = p.name
    for suffix in ("-journal", "-wal"):
        side = p.with_name(name + suffix)
        with contextlib.suppress(OSError):
            if side.exists() and side.stat().st_size > 0:
                raise FileLockedError(
                    f"Could not save {name}: another program (QGIS, GDAL, ...) has it open for editing or left "
                    f"unfinished changes in {side.name}. Close that program (or open the file there and save) and "
                    f"save again, or use Save As. {KEEP}"
                )
    if p.with_name(name + "-shm").exists():
        raise FileLockedError(
            f"Could not save {name}: another program (QGIS, GDAL, ...) has it open ({name}-shm is present). "
            f"Close the file there and save again, or use Save As. {KEEP}"
        )
    pid = _write_lock_holder(p)
    if pid is not None:
        raise FileLockedError(
            f"Could not save {name}: another program (process {pid}) is writing to it right now. Wait for it to "
            f"finish or close it, then save again, or use Save As. {KEEP}"
        )


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def check_folder_writable(path: str | os.PathLike[str]) -> None:
    """Refuse early when the folder or the file cannot be written (read-only disk, folder or file)."""
    p = Path(os.path.abspath(os.fspath(path)))
    where = f"Could not save {p.name}"
    if not p.parent.is_dir():
        raise SaveError(f"{where}: the folder {p.parent} does not exist. Use Save As to choose another folder.")
    if _read_only_mount(p.parent):
        raise SaveError(f"{where}: {p.parent} is on a read-only disk. Use Save As to save in another folder. {KEEP}")
    if not os.access(p.parent, os.W_OK | os.X_OK):
        raise SaveError(f"{where}: the folder {p.parent} is read-only. Use Save As to save in another folder. {KEEP}")
    with contextlib.suppress(OSError):
        if p.is_file() and not p.stat().st_mode & 0o222:
            raise SaveError(f"{where}: the file is marked read-only. Use Save As to save a copy. {KEEP}")


def file_revision(path: str | os.PathLike[str]) -> str | None:
    """The revision UUID stored in a project file (read-only), or None if unreadable."""
    p = Path(os.path.abspath(os.fspath(path)))
    try:
        conn = sqlite3.connect(p.as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT revision_id FROM terradesk_project LIMIT 1").fetchone()
        return None if row is None else str(row[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def check_unchanged(path: str | os.PathLike[str], expected: FileIdentity | None) -> FileIdentity | None:
    """Raise FileChangedError when the file is not the one we opened or last saved.

    Size first (cheap), then the content hash: a file only touched (same bytes, new mtime)
    is not a conflict. Returns the file's current identity (None when there is no file).
    """
    p = Path(os.path.abspath(os.fspath(path)))
    if expected is None:
        return None
    name = p.name
    if not p.exists():
        raise FileChangedError(
            f"{name} was moved, renamed or deleted since you opened it. Use Save As to choose where to save your "
            f"changes. {KEEP.replace('the file on disk is unchanged', 'nothing was written')}"
        )
    st = p.stat()
    if st.st_size == expected.size and st.st_mtime_ns == expected.mtime_ns:
        sha = expected.sha256  # untouched since we read it (a same-size, same-mtime rewrite is not plausible)
    else:
        sha = file_sha256(p)
    if sha == expected.sha256:
        return identity_of(p, expected.revision_id, sha)
    revision = file_revision(p)
    current = identity_of(p, revision or "", sha)
    if revision and revision != expected.revision_id:
        who = "saved from another TerraDesk (a colleague or another window)"
    else:
        who = "changed by another program (QGIS, a sync tool, ...)"
    err = FileChangedError(
        f"{name} was {who} since you opened it; TerraDesk did not overwrite it. Use Save As to keep your version "
        f"beside it, or Reload to open the version on disk (your unsaved changes would be lost)."
    )
    err.current = current  # type: ignore[attr-defined]
    raise err


def check_before_save(path: str | os.PathLike[str], expected: FileIdentity | None) -> None:
    """All checks, cheapest first; raises a SaveError subclass with what to do."""
    check_folder_writable(path)
    check_not_in_use(path)
    check_unchanged(path, expected)


def _with_advice(exc: SaveError) -> str:
    text = str(exc)
    low = text.lower()
    cause = exc.__cause__
    code = cause.errno if isinstance(cause, OSError) else None
    if code == errno.ENOSPC or "disk is full" in low:
        return f"{text}. Free some disk space and save again, or use Save As to save on another disk. {KEEP}"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "read-only" in low or "permission" in low:
        return f"{text}. Use Save As to save in another folder. {KEEP}"
    return f"{text}. {KEEP}"


def save_checked(
    project: Project, path: str | os.PathLike[str], expected: FileIdentity | None, *,
    keep_backup: bool = True, _fault: Fault | None = None,
) -> FileIdentity:
    """Check the file on disk, then save atomically; the identity to remember for next time.

    ``expected`` is the identity remembered when the file was opened or last saved
    (None for Save As to a new place). On any failure the project and the file on disk
    are unchanged and the :class:`SaveError` message tells the planner what to do.
    """
    check_before_save(path, expected)
    try:
        return save_project(project, path, keep_backup=keep_backup, _fault=_fault)
    except SaveError as exc:
        if isinstance(exc, FileChangedError | FileLockedError):
            raise
        raise SaveError(_with_advice(exc)) from exc

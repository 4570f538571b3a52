"""Recovery snapshots: the unsaved project written to a private folder, never over the planner's file.

Each running TerraDesk is a *session* holding an exclusive lock on ``<session>.lock`` in
the recovery folder. Snapshots are complete project files (written with the same atomic
:func:`~terradesk.io.gpkg.save_project`), named ``<session>-<document>-<seq>.gpkg`` with a
JSON record beside each. The kernel drops the lock when a process dies, so on the next
start every snapshot whose session lock is free belongs to a crashed (or killed)
session and is offered back if it is newer than its document. A clean exit removes the
session's snapshots. No Qt here: the window's timers live in :mod:`terradesk.ui.recovery`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from terradesk.io.errors import SaveError
from terradesk.io.gpkg import FileIdentity, open_project, save_project
from terradesk.model import Project

ENV_DIR = "TERRADESK_RECOVERY_DIR"
KEEP = 3  # snapshots kept per document and session


class SnapshotCancelledError(Exception):
    """A snapshot was cancelled (clean exit while it was being written); nothing was kept."""


def default_folder() -> Path:
    """The platform's per-user data folder + ``recovery`` (overridable with TERRADESK_RECOVERY_DIR)."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "TerraDesk" / "recovery"


def _try_lock(f: IO[bytes]) -> bool:
    """Exclusive, non-blocking lock on an open file; released by the OS when the process dies."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def session_alive(lock_path: Path) -> bool:
    """True when another live process (or this one) holds the session lock."""
    try:
        f = open(lock_path, "rb+")  # noqa: SIM115 - closed below, lock released with it
    except OSError:
        return False
    with f:
        return not _try_lock(f)


@dataclass(frozen=True)
class Recovery:
    """One snapshot and what it belongs to (stored as JSON beside the snapshot)."""

    snapshot: str  # file name inside the recovery folder
    session: str
    document: str  # key: original path, or "untitled:<project id>"
    original: str | None  # the planner's file, None for a project never saved
    name: str  # project name, for the dialog
    seq: int
    saved_at: float  # seconds since the epoch
    note: str = ""  # e.g. "12 unsaved changes; last: Assign units"
    base: dict[str, Any] | None = None  # FileIdentity of the original when the session read/saved it

    @property
    def base_identity(self) -> FileIdentity | None:
        return FileIdentity(**self.base) if self.base else None

    def newer_than_document(self) -> bool:
        """Offer it only if the planner's file did not get saved after the snapshot."""
        if self.original is None:
            return True
        try:
            return os.stat(self.original).st_mtime < self.saved_at
        except OSError:
            return True  # the document is gone: the snapshot is all there is


class RecoveryStore:
    """The recovery folder of one session: write, rotate, list, restore, discard."""

    def __init__(self, folder: str | os.PathLike[str] | None = None, keep: int = KEEP) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()
        self.keep = keep
        self.session = uuid.uuid4().hex[:12]
        self._lock: IO[bytes] | None = None
        self._seq = 0

    # -- session ------------------------------------------------------------------------
    def _lock_path(self, session: str) -> Path:
        return self.folder / f"{session}.lock"

    def start(self) -> None:
        """Create the folder and hold this session's lock (idempotent)."""
        if self._lock is not None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        f = open(self._lock_path(self.session), "wb+")  # noqa: SIM115 - held for the session's life
        if not _try_lock(f):
            f.close()
            raise RuntimeError(f"recovery session {self.session} is locked by another process")
        f.write(str(os.getpid()).encode())
        f.flush()
        self._lock = f

    def close(self) -> None:
        """Clean exit: remove this session's snapshots and release the lock."""
        for rec in self._records(self.session):
            self._remove(rec)
        if self.folder.is_dir():  # a snapshot whose record was never written (cancelled, crashed thread)
            for stray in self.folder.glob(f"{self.session}-*.gpkg*"):
                with contextlib.suppress(OSError):
                    stray.unlink()
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        with contextlib.suppress(OSError):
            self._lock_path(self.session).unlink()

    # -- writing ----------------------------------------------------------------------------
    @staticmethod
    def document_key(project: Project, original: str | os.PathLike[str] | None) -> str:
        return os.path.abspath(os.fspath(original)) if original is not None else f"untitled:{project.meta.project_id}"

    def write(self, project: Project, original: str | os.PathLike[str] | None, *,
              base: FileIdentity | None = None, note: str = "", cancel: threading.Event | None = None) -> Recovery:
        """Snapshot ``project`` (atomic save into the recovery folder); keep the last ``keep``.

        May run in a worker thread on a :meth:`Project.snapshot` copy. Setting ``cancel``
        stops it at the next step of the save (:class:`SnapshotCancelledError`, nothing left behind).
        """
        self.start()
        doc = self.document_key(project, original)
        digest = hashlib.blake2b(doc.encode(), digest_size=4).hexdigest()
        self._seq += 1
        name = f"{self.session}-{digest}-{self._seq:05d}.gpkg"
        target = self.folder / name
        if original is not None and Path(original).exists() and Path(original).resolve() == target.resolve():
            raise ValueError("a recovery snapshot must never be written over the planner's file")
        revision = project.meta.revision_id

        def check_cancel(step: str) -> None:
            if cancel is not None and cancel.is_set():
                raise SnapshotCancelledError(f"snapshot cancelled at {step}")

        try:
            save_project(project, target, keep_backup=False, _fault=check_cancel)
        except SaveError as exc:
            if isinstance(exc.__cause__, SnapshotCancelledError):
                raise exc.__cause__ from None
            raise
        finally:
            project.meta.revision_id = revision  # a snapshot is not a revision of the document
        if cancel is not None and cancel.is_set():
            with contextlib.suppress(OSError):
                target.unlink()
            raise SnapshotCancelledError("snapshot cancelled after writing")
        rec = Recovery(
            snapshot=name, session=self.session, document=doc,
            original=None if original is None else os.path.abspath(os.fspath(original)),
            name=project.meta.name, seq=self._seq, saved_at=target.stat().st_mtime, note=note,
            base=asdict(base) if base is not None else None,
        )
        self._write_record(rec)
        for old in self._records(self.session):
            if old.document == doc and old.seq <= rec.seq - self.keep:
                self._remove(old)
        return rec

    def _write_record(self, rec: Recovery) -> None:
        path = self.folder / (rec.snapshot + ".json")
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(rec), indent=1), encoding="utf-8")
        os.replace(tmp, path)

    # -- reading ------------------------------------------------------------------------------
    def _records(self, session: str | None = None) -> list[Recovery]:
        out: list[Recovery] = []
        if not self.folder.is_dir():
            return out
        for path in self.folder.glob("*.gpkg.json"):
            if session is not None and not path.name.startswith(session + "-"):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                rec = Recovery(**data)
            except (OSError, ValueError, TypeError):
                continue
            if (self.folder / rec.snapshot).is_file():
                out.append(rec)
        return sorted(out, key=lambda r: (r.session, r.document, r.seq))

    def _latest_of_dead_sessions(self) -> list[Recovery]:
        latest: dict[tuple[str, str], Recovery] = {}
        alive: dict[str, bool] = {}
        for rec in self._records():
            if rec.session == self.session:
                continue
            if rec.session not in alive:
                alive[rec.session] = session_alive(self._lock_path(rec.session))
            if not alive[rec.session]:
                latest[(rec.session, rec.document)] = rec  # records are sorted by seq
        return sorted(latest.values(), key=lambda r: r.saved_at, reverse=True)

    def list_recoveries(self) -> list[Recovery]:
        """Latest snapshot per document of every crashed session, newer than its document."""
        return [r for r in self._latest_of_dead_sessions() if r.newer_than_document()]

    def prune_stale(self) -> int:
        """Remove crashed sessions' snapshots whose document was saved after them; how many."""
        stale = [r for r in self._latest_of_dead_sessions() if not r.newer_than_document()]
        for rec in stale:
            self.discard(rec)
        return len(stale)

    def path_of(self, rec: Recovery) -> Path:
        return self.folder / rec.snapshot

    def load(self, rec: Recovery) -> Project:
        """The snapshot's project, carrying the revision of the document it was based on."""
        project = open_project(self.path_of(rec)).project
        base = rec.base_identity
        if base is not None and base.revision_id:
            project.meta.revision_id = base.revision_id
        return project

    # -- removing -------------------------------------------------------------------------------
    def _remove(self, rec: Recovery) -> None:
        for p in (self.folder / rec.snapshot, self.folder / (rec.snapshot + ".json")):
            with contextlib.suppress(OSError):
                p.unlink()

    def discard(self, rec: Recovery) -> None:
        """Remove every snapshot of that document from that session (and the dead session's lock)."""
        for old in self._records(rec.session):
            if old.document == rec.document:
                self._remove(old)
        if rec.session != self.session and not self._records(rec.session):
            with contextlib.suppress(OSError):
                if not session_alive(self._lock_path(rec.session)):
                    self._lock_path(rec.session).unlink()

    def discard_document(self, project: Project, original: str | os.PathLike[str] | None) -> None:
        """This session's snapshots of a document (after it was saved or closed)."""
        doc = self.document_key(project, original)
        for old in self._records(self.session):
            if old.document == doc:
                self._remove(old)

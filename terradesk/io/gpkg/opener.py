"""Open a project file: sniff what it is, read it read-only, map every failure to a class.

The file is never modified: the header is sniffed with a plain read, and SQLite opens
it through a ``file:...?mode=ro`` URI (``immutable=1`` for WAL files, so no -wal/-shm
sidecars are created). Any sqlite3 or unexpected error becomes a
:class:`~terradesk.io.errors.ProjectFileError` subclass with a one-line message.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from terradesk.geo.crs import UnknownCRSError, parse_crs
from terradesk.io.errors import (
    CorruptFileError,
    FileMissingError,
    NewerSchemaError,
    NotAFileError,
    NotGeoPackageError,
    NotSQLiteError,
    NotTerraDeskProjectError,
    ProjectFileError,
    UnknownCRSFileError,
)
from terradesk.io.gpkg import schema
from terradesk.io.gpkg.atomic import FileIdentity, file_sha256, identity_of
from terradesk.io.gpkg.bulk import gc_paused
from terradesk.io.gpkg.reader import Reader
from terradesk.model import SCHEMA_VERSION, Project

SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
REQUIRED_GPKG = ("gpkg_spatial_ref_sys", "gpkg_contents")


@dataclass
class OpenResult:
    """The project read from a file, what was repaired or skipped, and the file's identity."""

    project: Project
    warnings: list[str]
    identity: FileIdentity


def _sniff(path: Path) -> bool:
    """Check the file and its 100-byte SQLite header; returns True for a WAL-mode file."""
    name = path.name
    if not path.exists():
        raise FileMissingError(f"{path} does not exist")
    if path.is_dir():
        raise NotAFileError(f"{path} is a folder, not a TerraDesk project file")
    if not path.is_file():
        raise NotAFileError(f"{path} is not a regular file")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise ProjectFileError(f"cannot read {name}: {exc.strerror or exc}") from exc
    if size == 0:
        raise NotSQLiteError(f"{name} is empty (0 bytes), not a TerraDesk project")
    if not head.startswith(SQLITE_MAGIC):
        start = head.lstrip().lower()
        if start.startswith((b"<!doctype html", b"<html")):
            raise NotSQLiteError(f"{name} is a web page (HTML), not a TerraDesk project; was it downloaded correctly?")
        if head.startswith(b"PK\x03\x04"):
            raise NotSQLiteError(f"{name} is a ZIP archive, not a TerraDesk project; extract the .gpkg inside it first")
        raise NotSQLiteError(f"{name} is not a TerraDesk project (not a GeoPackage/SQLite file)")
    if len(head) < 100:
        raise CorruptFileError(f"{name} is damaged: the file is truncated ({size} bytes)")
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", head[28:32])[0]
    if head[24:28] == head[92:96] and pages and page_size * pages > size:
        raise CorruptFileError(
            f"{name} is damaged: the file is truncated ({size} of {page_size * pages} bytes present)"
        )
    if head[68:72] not in GPKG_IDS:
        raise NotGeoPackageError(f"{name} is an SQLite database but not a GeoPackage, so not a TerraDesk project")
    return head[18] == 2


class _LenientText:
    """text_factory for files with invalid UTF-8: replace bad bytes and remember that it happened."""

    def __init__(self) -> None:
        self.replaced = False

    def __call__(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.replaced = True
            return data.decode("utf-8", errors="replace")


def _connect(path: Path, wal: bool, text: _LenientText | None = None) -> sqlite3.Connection:
    uri = path.absolute().as_uri() + ("?immutable=1" if wal else "?mode=ro")
    conn = sqlite3.connect(uri, uri=True)
    conn.execute("PRAGMA query_only = ON")
    if text is not None:
        conn.text_factory = text
    return conn


def _check_tables(conn: sqlite3.Connection, name: str) -> None:
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall())
    tables = set(kinds)
    views = [t.name for t in schema.TABLES if kinds.get(t.name) == "view"]
    if views:  # a view runs SQL written by whoever made the file (it could never end): not read
        raise NotTerraDeskProjectError(
            f"{name} is not a TerraDesk project as saved by TerraDesk: {', '.join(views)} is a view, not a table"
        )
    if not all(t in tables for t in REQUIRED_GPKG):
        raise NotGeoPackageError(f"{name} lacks the GeoPackage system tables, so it is not a TerraDesk project")
    if schema.PROJECT.name not in tables:
        raise NotTerraDeskProjectError(
            f"{name} is a GeoPackage but not a TerraDesk project (no {schema.PROJECT.name} table); import its layers instead"
        )
    missing = [t.name for t in schema.TABLES if t.name not in tables]
    if missing:
        raise NotTerraDeskProjectError(f"{name} is not a complete TerraDesk project: tables {', '.join(missing)} are missing")


def _damaged(name: str, detail: str) -> str:
    """One line: SQLite's multi-line diagnostics are folded, the backup is suggested."""
    detail = " ".join(detail.replace("*** in database main ***", "").split())
    return f"{name} is damaged ({detail[:160]}); try its backup {name}.bak if there is one"


class _Checks(threading.Thread):
    """``PRAGMA quick_check`` and the file's sha256, on their own connection and file handle.

    Both run in C without the GIL, so they overlap the main thread's read (about 0.1 s of
    a 40,000-unit open). A damaged file interrupts the read; :meth:`verify` then raises
    the same CorruptFileError as when the check ran first.
    """

    def __init__(self, path: Path, wal: bool, main: sqlite3.Connection) -> None:
        super().__init__(name="terradesk-open-checks", daemon=True)
        self.path, self.wal, self.main = path, wal, main
        self.status = ""
        self.sha = ""
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            conn = _connect(self.path, self.wal)
            try:
                self.status = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
            finally:
                conn.close()
            if self.status != "ok":
                with contextlib.suppress(sqlite3.Error):
                    self.main.interrupt()
                return
            self.sha = file_sha256(self.path)
        except BaseException as exc:  # re-raised on the opening thread by verify()
            self.error = exc

    def verify(self, name: str) -> str:
        """Wait for the checks; raise what a damaged or unreadable file gives; the sha256."""
        self.join()
        if self.error is not None:
            raise self.error
        if self.status != "ok":
            raise CorruptFileError(_damaged(name, self.status))
        return self.sha


def _read(conn: sqlite3.Connection, name: str, path: Path, wal: bool) -> tuple[Project, list[str], str]:
    _check_tables(conn, name)
    checks = _Checks(path, wal, conn)
    try:
        with gc_paused():
            project, warnings = _read_checked(conn, name)
    except BaseException:
        checks.verify(name)  # a damaged file's error wins, as when the check ran first
        raise
    return project, warnings, checks.verify(name)


def _read_checked(conn: sqlite3.Connection, name: str) -> tuple[Project, list[str]]:
    reader = Reader(conn)
    meta = reader.meta()
    if not meta:
        raise NotTerraDeskProjectError(f"{name} is not a complete TerraDesk project: its project record is empty")
    try:
        version = int(meta.get("schema_version") or 0)
    except (TypeError, ValueError) as exc:
        raise CorruptFileError(f"{name} is damaged: its schema version {meta.get('schema_version')!r} is not a number") from exc
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{name} was saved by a newer TerraDesk (file format {version}; this version reads up to "
            f"{SCHEMA_VERSION}); please update TerraDesk to open it"
        )
    crs_text = str(meta.get("crs") or "")
    try:
        parse_crs(crs_text)
    except UnknownCRSError as exc:
        raise UnknownCRSFileError(f"{name} uses an unknown coordinate reference system {crs_text[:80]!r}") from exc
    project = reader.project(crs_text)
    return project, reader.warnings


def _read_file(p: Path, wal: bool, name: str, text: _LenientText | None) -> tuple[Project, list[str], str]:
    conn = _connect(p, wal, text)
    try:
        return _read(conn, name, p, wal)
    finally:
        conn.close()


def open_project(path: str | os.PathLike[str]) -> OpenResult:
    """Read a project file; never modifies it, raises only ProjectFileError subclasses."""
    p = Path(os.path.abspath(os.fspath(path)))
    wal = _sniff(p)
    name = p.name
    try:
        try:
            project, warnings, sha = _read_file(p, wal, name, None)
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
            lenient = _LenientText()  # only files with invalid UTF-8 pay for decoding in Python
            project, warnings, sha = _read_file(p, wal, name, lenient)
            if lenient.replaced:
                warnings.append("some text in the file was not valid UTF-8; unreadable characters were replaced by �")
    except ProjectFileError:
        raise
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            raise CorruptFileError(_damaged(name, text)) from exc
        raise CorruptFileError(f"{name} cannot be read: {' '.join(text.split())}") from exc
    except OSError as exc:
        raise ProjectFileError(f"cannot read {name}: {exc.strerror or exc}") from exc
    except Exception as exc:
        raise CorruptFileError(f"{name} cannot be read: {type(exc).__name__}: {' '.join(str(exc).split())}") from exc
    if wal and p.with_name(p.name + "-wal").exists():
        warnings.append(f"changes another program left in {name}-wal were not read")
    return OpenResult(project, warnings, identity_of(p, project.meta.revision_id, sha))

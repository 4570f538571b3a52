"""Errors of the file layer, each a failure class with its own message and CLI exit code.

The CLI maps ``exit_code`` to its process exit status and prints ``str(error)`` as one
line; the GUI shows the same sentence in a message box. Never a traceback.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # a check ran and found problems (e.g. validate found invalid geometries)
    USAGE = 2  # argparse's own code for bad arguments
    NOT_FOUND = 3
    NOT_A_PROJECT = 4  # not a file / not SQLite / not a GeoPackage / not a TerraDesk project
    CORRUPT = 5
    NEWER_SCHEMA = 6
    BAD_DATA = 7  # geometries or rows that cannot be used
    UNKNOWN_CRS = 8
    WRITE_FAILED = 9  # disk full, read-only folder, locked file
    CONFLICT = 10  # the file changed on disk since it was opened
    BAD_INPUT = 11  # an import source or table the planner gave is unusable
    INTERNAL = 70


class TerraDeskError(Exception):
    """Base class: a clear one-line message a planner can act on."""

    exit_code: ExitCode = ExitCode.FAILURE


class ProjectFileError(TerraDeskError):
    """A project file cannot be opened."""

    exit_code = ExitCode.NOT_A_PROJECT


class FileMissingError(ProjectFileError):
    exit_code = ExitCode.NOT_FOUND


class NotAFileError(ProjectFileError):
    """The path is a folder or a device, not a file."""


class NotSQLiteError(ProjectFileError):
    pass


class NotGeoPackageError(ProjectFileError):
    pass


class NotTerraDeskProjectError(ProjectFileError):
    pass


class CorruptFileError(ProjectFileError):
    exit_code = ExitCode.CORRUPT


class NewerSchemaError(ProjectFileError):
    exit_code = ExitCode.NEWER_SCHEMA


class BadGeometryError(ProjectFileError):
    exit_code = ExitCode.BAD_DATA


class UnknownCRSFileError(ProjectFileError):
    exit_code = ExitCode.UNKNOWN_CRS


class SaveError(TerraDeskError):
    """Saving failed; the previous file and the in-memory project are untouched."""

    exit_code = ExitCode.WRITE_FAILED


class FileChangedError(SaveError):
    exit_code = ExitCode.CONFLICT


class FileLockedError(SaveError):
    """Another program holds the file open for writing (a lock, a hot journal, WAL sidecars)."""


class ImportSourceError(TerraDeskError):
    """An import source (units, accounts, assignment table) cannot be used."""

    exit_code = ExitCode.BAD_INPUT

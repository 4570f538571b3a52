"""Helpers shared by the CLI verbs: open a project with a clear error, print results.

Every verb reports failures as one line on stderr (``terradesk-cli VERB: message``) and a
named :class:`ExitCode`; :func:`guarded` turns anything unexpected into such a line too,
because a traceback is a bug the user cannot act on.
"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from terradesk.io.errors import ExitCode, FileMissingError, ProjectFileError, TerraDeskError

Run = Callable[[argparse.Namespace], int]


def say(message: str) -> None:
    """A line of normal output (stdout)."""
    print(message, flush=True)


def complain(verb: str, message: str) -> None:
    """One line on stderr, prefixed like the dispatcher's own error lines."""
    print(f"terradesk-cli {verb}: {message}", file=sys.stderr, flush=True)


def fail(verb: str, message: str, code: ExitCode) -> int:
    complain(verb, message)
    return int(code)


def guarded(verb: str) -> Callable[[Run], Run]:
    """Decorate a verb's ``run``: our errors and any stray exception become one line."""

    def wrap(run: Run) -> Run:
        @functools.wraps(run)
        def inner(args: argparse.Namespace) -> int:
            try:
                return int(run(args))
            except TerraDeskError as exc:
                return fail(verb, str(exc), exc.exit_code)
            except MemoryError:
                return fail(verb, "out of memory", ExitCode.INTERNAL)
            except OSError as exc:
                return fail(verb, f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}",
                            ExitCode.WRITE_FAILED)
            except Exception as exc:  # a bug: still one line, with a code that says so
                return fail(verb, f"internal error ({type(exc).__name__}: {exc})", ExitCode.INTERNAL)

        return inner

    return wrap


def open_checked(path_text: str) -> Any:
    """Open a project file; every failure becomes a :class:`ProjectFileError` subclass.

    Returns the ``OpenResult`` of :func:`terradesk.io.gpkg.open_project` (``.project``,
    ``.warnings``, ``.identity``).
    """
    from terradesk.io.gpkg import open_project  # the file layer, loaded only by verbs that read

    path = Path(path_text)
    if not path.exists():
        raise FileMissingError(f"{path}: no such file")
    if path.is_dir():
        raise ProjectFileError(f"{path}: is a folder, not a project file")
    try:
        return open_project(path)
    except TerraDeskError:
        raise
    except PermissionError as exc:
        raise ProjectFileError(f"{path}: permission denied") from exc
    except sqlite3.DatabaseError as exc:
        raise ProjectFileError(f"{path}: cannot be read as a project ({exc})") from exc


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def human_size(size: int) -> str:
    """Bytes as a short human figure: ``1.4 MB``."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover

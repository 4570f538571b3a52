"""Helpers shared by the CLI verbs: their parsers, opening and saving a project, picking
the plan to work on, and printing results.

Every verb reports failures as one line on stderr (``terradesk-cli VERB: message``) and a
named :class:`ExitCode`; :func:`guarded` turns anything unexpected into such a line too,
because a traceback is a bug the user cannot act on. Helpers that refuse an input raise
:class:`RefusedError`, which :func:`guarded` reports the same way.
"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from terradesk.io.errors import ExitCode, FileMissingError, ProjectFileError, TerraDeskError

if TYPE_CHECKING:
    from terradesk.model import Alignment, Project

Run = Callable[[argparse.Namespace], int]


class RefusedError(TerraDeskError):
    """A verb refusing what it was given: :func:`guarded` prints the message, exits with ``code``."""

    def __init__(self, message: str, code: ExitCode = ExitCode.BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = code


@contextmanager
def refusing(*errors: type[Exception], code: ExitCode = ExitCode.BAD_INPUT) -> Iterator[None]:
    """Report ``errors`` raised inside the block as :class:`RefusedError` (bad metric, formula ...)."""
    try:
        yield
    except errors as exc:
        raise RefusedError(str(exc), code) from exc


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


# -- parsers ----------------------------------------------------------------------------------
def verb_parser(
    subparsers: Any, verb: str, run: Run, *, help: str, description: str, project: str | None = "project file (.gpkg)"
) -> argparse.ArgumentParser:
    """The sub-parser of one verb, bound to its ``run``, with a first ``PROJECT`` argument
    (its help text is ``project``; None for verbs that take no project)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(verb, help=help, description=description)
    parser.set_defaults(func=run)
    if project is not None:
        parser.add_argument("project", metavar="PROJECT", help=project)
    return parser


def add_alignment_option(parser: argparse.ArgumentParser, help: str, metavar: str = "NAME") -> None:
    parser.add_argument("--alignment", metavar=metavar, help=help)


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            wanted = "zero or more" if minimum == 0 else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {value}")
        return value

    return parse


def positive(text: str) -> float:
    """An argparse type: a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


# -- projects ---------------------------------------------------------------------------------
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


def open_reporting(verb: str, path_text: str) -> Any:
    """:func:`open_checked`, with every warning of the opened file said on stderr."""
    result = open_checked(path_text)
    for warning in result.warnings:
        complain(verb, f"warning: {warning}")
    return result


def pick_alignment(project: Project, name: str | None, *, missing: str = "the project has no alignment") -> Alignment:
    """The alignment called ``name``, or the active one; :class:`RefusedError` naming the known ones."""
    al = project.alignment_by_name(name) if name else project.active_alignment
    if al is None:
        known = ", ".join(a.name for a in project.alignments.values()) or "none"
        what = f"no alignment named {name!r}" if name else missing
        raise RefusedError(f"{what} (alignments: {known})")
    return al


def require_units(al: Alignment, advice: str) -> None:
    """Refuse a hand-drawn alignment where a verb needs a unit assignment."""
    if al.kind != "units":
        raise RefusedError(f"alignment {al.name!r} is drawn by hand; {advice}")


def save(project: Project, target: str | Path, detail: str = "", *, quiet: bool = False) -> None:
    """Save (guarded, atomic) and say so: ``saved TARGET[: detail]``."""
    from terradesk.io.gpkg import save_project

    save_project(project, target)
    if not quiet:
        say(f"saved {target}" + (f": {detail}" if detail else ""))


# -- output -----------------------------------------------------------------------------------
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

"""Fuzz open_project with damaged copies of a valid project (hypothesis over bytes).

CI runs ``TERRADESK_FUZZ_EXAMPLES`` examples (default 200, derandomised so a failure
reproduces). For a release check run a longer, random search, for example::

    TERRADESK_FUZZ_EXAMPLES=20000 .venv/bin/pytest tests/io/test_fuzz.py -q

Each example must either open or raise a TerraDeskError subclass with a one-line message,
and must leave the file's bytes and its folder exactly as they were.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terradesk.io.errors import TerraDeskError
from terradesk.io.gpkg import open_project, save_project
from tests.factories import grid_project

DEFAULT_EXAMPLES = 200
EXAMPLES = int(os.environ.get("TERRADESK_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


@pytest.fixture(scope="module")
def valid() -> Iterator[tuple[bytes, Path]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "base.gpkg"
        save_project(grid_project(accounts=8), path, keep_backup=False)
        work = Path(folder) / "work"
        work.mkdir()
        yield path.read_bytes(), work


def _offset(size: int) -> st.SearchStrategy[int]:
    """Anywhere, but often in the SQLite header or the first (schema) pages."""
    return st.one_of(st.integers(0, 99), st.integers(0, 3 * 4096), st.integers(0, size - 1))


def mutation(size: int) -> st.SearchStrategy[tuple[str, int, bytes]]:
    return st.one_of(
        st.tuples(st.just("flip"), _offset(size), st.binary(min_size=1, max_size=8)),
        st.tuples(st.just("insert"), _offset(size), st.binary(min_size=1, max_size=64)),
        st.tuples(st.just("truncate"), _offset(size), st.just(b"")),
        st.tuples(st.just("zero"), _offset(size), st.binary(min_size=1, max_size=512).map(lambda b: bytes(len(b)))),
    )


def apply(data: bytes, mutations: list[tuple[str, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for kind, at, payload in mutations:
        at = min(at, len(buf))
        if kind == "flip":
            for i, b in enumerate(payload):
                if at + i < len(buf):
                    buf[at + i] ^= b or 0xFF
        elif kind == "insert":
            buf[at:at] = payload
        elif kind == "truncate":
            del buf[at:]
        else:
            buf[at : at + len(payload)] = payload
    return bytes(buf)


@settings(max_examples=EXAMPLES, deadline=2000, derandomize=EXAMPLES == DEFAULT_EXAMPLES,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)
@given(data=st.data())
def test_damaged_project_opens_or_fails_cleanly(valid: tuple[bytes, Path], data: st.DataObject) -> None:
    original, work = valid
    mutations = data.draw(st.lists(mutation(len(original)), min_size=1, max_size=4))
    damaged = apply(original, mutations)
    path = work / "fuzz.gpkg"
    path.write_bytes(damaged)
    digest = hashlib.sha256(damaged).hexdigest()
    try:
        result = open_project(path)
    except TerraDeskError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
    else:
        assert result.project is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in work.iterdir()) == ["fuzz.gpkg"]

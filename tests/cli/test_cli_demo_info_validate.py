"""The ``demo``, ``info`` and ``validate`` verbs: real files, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from terradesk.cli import main
from terradesk.io.errors import ExitCode
from terradesk.io.gpkg import save_project
from tests.factories import grid_project

CLI = Path(sys.executable).with_name("terradesk-cli")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    assert main(["demo", str(out), "--units", "120", "--accounts", "300", "--seed", "3"]) == ExitCode.OK
    return out


def one_error_line(err: str, verb: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"terradesk-cli {verb}: ")
    assert "Traceback" not in err
    return lines[0]


def test_demo_writes_a_project_that_info_describes(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["info", str(demo_file), "--json"]) == ExitCode.OK
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "Demo region"
    assert info["crs"] == "EPSG:3035"
    assert info["schema_version"] == 1
    assert info["layers"] == {"units": 120, "accounts": 300, "owners": info["layers"]["owners"], "alignments": 2}
    assert info["layers"]["owners"] >= 16
    assert info["file_size"] == demo_file.stat().st_size
    by_name = {a["name"]: a for a in info["alignments"]}
    assert by_name["Sales 2027"]["territories"] == 12
    assert by_name["Sales 2027"]["assigned_units"] == 120
    assert by_name["Sales 2027"]["unassigned_units"] == 0
    assert by_name["Sales 2027"]["active"]
    assert 4 <= by_name["Customer support"]["territories"] <= 6
    assert {"population", "market_potential"} <= set(info["unit_fields"])
    assert {"revenue", "potential", "visits_per_year", "segment", "postal_code"} <= set(info["account_fields"])


def test_info_text_lists_alignments(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["info", str(demo_file)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "Demo region" in out and "EPSG:3035" in out
    assert "Sales 2027 (active): 12 territories, 120 units assigned, 0 unassigned" in out


def test_demo_file_round_trips_the_generator(demo_file: Path) -> None:
    from terradesk.io.demo import generate_demo
    from terradesk.io.gpkg import open_project

    assert open_project(demo_file).project.state() == generate_demo(120, 300, 3).state()


def test_validate_accepts_the_demo(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["validate", str(demo_file)]) == ExitCode.OK
    assert "valid (120 units, 300 accounts, 2 alignments)" in capsys.readouterr().out


def test_demo_refuses_to_overwrite_without_force(demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = demo_file.read_bytes()
    capsys.readouterr()
    assert main(["demo", str(demo_file)]) == ExitCode.USAGE
    assert "exists already (use --force to overwrite)" in one_error_line(capsys.readouterr().err, "demo")
    assert demo_file.read_bytes() == before


def test_demo_force_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "p.gpkg"
    out.write_bytes(b"old")
    assert main(["demo", str(out), "--units", "80", "--accounts", "10", "--force"]) == ExitCode.OK
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--units", "5"], "units must be between"), (["--units", "999999"], "units must be between")],
)
def test_demo_refuses_bad_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                message: str) -> None:
    out = tmp_path / "x.gpkg"
    assert main(["demo", str(out), *args]) == ExitCode.USAGE
    assert message in one_error_line(capsys.readouterr().err, "demo")
    assert not out.exists()


def test_demo_into_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", str(tmp_path / "nope" / "x.gpkg")]) == ExitCode.WRITE_FAILED
    assert "no such folder" in one_error_line(capsys.readouterr().err, "demo")


@pytest.mark.parametrize("verb", ["info", "validate"])
def test_missing_file(verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([verb, str(tmp_path / "missing.gpkg")]) == ExitCode.NOT_FOUND
    assert "missing.gpkg" in one_error_line(capsys.readouterr().err, verb)


@pytest.mark.parametrize("verb", ["info", "validate"])
def test_random_bytes_file(verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(np.random.default_rng(0).bytes(4096))
    before = junk.read_bytes()
    assert main([verb, str(junk)]) == ExitCode.NOT_A_PROJECT
    one_error_line(capsys.readouterr().err, verb)
    assert junk.read_bytes() == before


@pytest.mark.parametrize("verb", ["info", "validate"])
def test_folder_is_not_a_project(verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([verb, str(tmp_path)]) == ExitCode.NOT_A_PROJECT
    assert "folder" in one_error_line(capsys.readouterr().err, verb)


@pytest.mark.parametrize("argv", [["info", "--bogus", "x.gpkg"], ["validate"], ["demo", "x.gpkg", "--units", "many"]])
def test_bad_arguments_exit_with_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == ExitCode.USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_validate_reports_a_missing_owner_from_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = grid_project()
    al = project.active_alignment
    assert al is not None
    next(iter(al)).owner_id = "00000000-0000-4000-8000-00000000dead"
    path = tmp_path / "orphan.gpkg"
    save_project(project, path)
    assert main(["validate", str(path)]) == ExitCode.FAILURE
    line = one_error_line(capsys.readouterr().err, "validate")
    assert "1 problem: " in line and "owner that does not exist" in line


@pytest.mark.skipif(not CLI.exists(), reason="terradesk-cli is not installed in this environment")
def test_real_process_exit_codes(tmp_path: Path, demo_file: Path) -> None:
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"\x00\xff" * 500)
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    runs = {
        "junk": ([str(CLI), "validate", str(junk)], ExitCode.NOT_A_PROJECT),
        "missing": ([str(CLI), "info", str(tmp_path / "nope.gpkg")], ExitCode.NOT_FOUND),
        "flag": ([str(CLI), "info", "--nope", str(demo_file)], ExitCode.USAGE),
        "exists": ([str(CLI), "demo", str(demo_file)], ExitCode.USAGE),
        "valid": ([str(CLI), "validate", str(demo_file)], ExitCode.OK),
    }
    for name, (argv, code) in runs.items():
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env, check=False)
        assert done.returncode == code, (name, done.stderr)
        assert "Traceback" not in done.stderr, name
        lines = done.stderr.strip().splitlines()
        if code == ExitCode.USAGE and name == "flag":  # argparse: its usage line, then the error
            assert lines[-1] == "terradesk-cli: error: unrecognized arguments: --nope"
        elif code != ExitCode.OK:
            assert len(lines) == 1, (name, done.stderr)


def test_shapes_in_demo_file_stay_a_coverage(demo_file: Path) -> None:
    from terradesk.io.gpkg import open_project

    geoms = open_project(demo_file).project.units.geometry
    assert shapely.coverage_is_valid(geoms)

"""import-accounts, export-accounts and metrics verbs, end to end through a project file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from terradesk.cli import main
from terradesk.geo.crs import transform_points
from terradesk.io.errors import ExitCode
from terradesk.io.gpkg import open_project, save_project
from tests.factories import grid_project


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.gpkg"
    save_project(grid_project(6, 4, territories=3), path)
    return path


def accounts_csv(tmp_path: Path) -> Path:
    lon, lat = transform_points([4_000_500.0, 4_005_500.0], [3_000_500.0, 3_003_500.0], "EPSG:3035", "EPSG:4326")
    text = ("Kundennr;Firma;Breite;Länge;PLZ;Besuche\n"
            f"K1;Alpha;{lat[0]:.7f};{lon[0]:.7f};;12\n"
            f"K2;Beta;{lat[1]:.7f};{lon[1]:.7f};;6\n"
            "K3;Gamma;;;00001;3\n"
            "K4;Delta;;;;1\n").replace(".", ",")
    path = tmp_path / "kunden.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def test_import_export_and_metrics(project_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = accounts_csv(tmp_path)
    assert main(["import-accounts", str(project_file), str(src), "--id-field", "Kundennr"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "read 4 rows" in out and "placed 3: 2 by coordinates, 1 by postal code" in out
    assert "unplaced 1" in out and "row 5: no coordinates" in out
    project = open_project(project_file).project
    assert len(project.accounts) == 4  # the unplaced row is kept

    out_csv = tmp_path / "accounts.csv"
    assert main(["export-accounts", str(project_file), str(out_csv)]) == ExitCode.OK
    rows = list(csv.DictReader(out_csv.read_text(encoding="utf-8").splitlines()))
    assert [(r["account_id"], r["territory"], r["region"]) for r in rows] == [
        ("K1", "T1", "North"), ("K2", "T3", "North"), ("K3", "T1", "North"), ("K4", "", "")]

    capsys.readouterr()
    assert main(["metrics", str(project_file), "--json", "--formula", "Besuche * 1.5 + accounts * 0.2",
                 "--target", "workload:0.2"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    t1 = next(t for t in data["territories"] if t["territory"] == "T1")
    assert t1["accounts"] == 2 and t1["units"] == 8 and t1["workload"] == pytest.approx(15 * 1.5 + 0.4)
    assert t1["area_km2"] == pytest.approx(8.0, rel=1e-3)
    assert "workload_deviation" in t1 and data["regions"]["North"]["accounts"] == 3

    out_metrics = tmp_path / "m.csv"
    assert main(["metrics", str(project_file), "--csv", "--out", str(out_metrics)]) == ExitCode.OK
    table = list(csv.DictReader(out_metrics.read_text(encoding="utf-8").splitlines()))
    assert len(table) == 3 and {"territory", "owner", "region", "accounts", "accounts_deviation"} <= set(table[0])


def test_clear_errors(project_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["metrics", str(project_file), "--formula", "__import__('os')"])
    assert code == ExitCode.BAD_INPUT
    assert "only min, max and sqrt may be called" in capsys.readouterr().err
    assert main(["metrics", str(project_file), "--alignment", "Nope"]) == ExitCode.BAD_INPUT
    assert "no alignment named 'Nope' (alignments: Sales)" in capsys.readouterr().err
    assert main(["import-accounts", str(project_file), str(tmp_path / "none.csv")]) == ExitCode.NOT_FOUND
    bad = tmp_path / "dups.csv"
    bad.write_text("id,lat,lon\nA,1,1\nA,2,2\n", encoding="utf-8")
    assert main(["import-accounts", str(project_file), str(bad), "--reject-duplicate-ids"]) == ExitCode.BAD_INPUT
    assert "duplicate account id" in capsys.readouterr().err
    assert len(open_project(project_file).project.accounts) == 0  # nothing saved
    assert main(["metrics", str(tmp_path / "missing.gpkg")]) == ExitCode.NOT_FOUND

"""The rebalance and create-alignment verbs: print figures, save one file, clear errors."""

from __future__ import annotations

import numpy as np

from terradesk.cli import main
from terradesk.io.gpkg import open_project, save_project
from tests.factories import grid_project


def _project_file(tmp_path):
    project = grid_project(8, 6, territories=3)
    project.units.fields["potential"] = np.where(np.arange(48) % 8 < 3, 30.0, 5.0)
    path = tmp_path / "p.gpkg"
    save_project(project, path)
    return path


def test_rebalance_saves_into_out(tmp_path, capsys) -> None:
    path = _project_file(tmp_path)
    out = tmp_path / "new.gpkg"
    code = main(["rebalance", str(path), "--metric", "potential:5%", "--seed", "1", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "worst deviation" in text and "units moved:" in text and f"saved {out}" in text
    before = open_project(path).project.active_alignment.assignment
    after = open_project(out).project.active_alignment.assignment
    assert (before != after).any()


def test_rebalance_unknown_metric_and_alignment(tmp_path, capsys) -> None:
    path = _project_file(tmp_path)
    assert main(["rebalance", str(path), "--metric", "nope"]) == 11
    assert "no numeric metric 'nope'" in capsys.readouterr().err
    assert main(["rebalance", str(path), "--metric", "potential", "--alignment", "X"]) == 11
    assert "no alignment named 'X' (alignments: Sales)" in capsys.readouterr().err


def test_create_alignment_adds_a_plan(tmp_path, capsys) -> None:
    path = _project_file(tmp_path)
    code = main(["create-alignment", str(path), "--name", "Auto", "--territories", "3", "--metric", "population:10%"])
    assert code == 0
    assert "Auto: 3 territories" in capsys.readouterr().out
    project = open_project(path).project
    al = project.alignment_by_name("Auto")
    assert al is not None and len(al.territories) == 3 and (al.assignment >= 0).all()
    assert main(["create-alignment", str(path), "--name", "Auto", "--territories", "3", "--metric", "population"]) == 11

"""``terradesk-cli render``: the same picture, headless, with clear errors."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from terradesk.cli import main
from tests.factories import grid_project

gpkg = pytest.importorskip("terradesk.io.gpkg")


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "grid.gpkg"
    gpkg.save_project(grid_project(), path)
    return path


def test_render_writes_a_png_of_the_requested_size(project_file, tmp_path, qapp, capsys):
    out = tmp_path / "map.png"
    assert main(["render", str(project_file), str(out), "--width", "320", "--height", "200"]) == 0
    img = QImage(str(out))
    assert (img.width(), img.height()) == (320, 200)
    centre = img.pixelColor(160, 100)
    assert centre.saturation() > 20  # territory colours, not an empty background
    assert "wrote" in capsys.readouterr().out


def test_render_unknown_alignment_and_missing_file(project_file, tmp_path, qapp, capsys):
    out = tmp_path / "map.png"
    assert main(["render", str(project_file), str(out), "--alignment", "Nope"]) == 2
    assert "no alignment named 'Nope'" in capsys.readouterr().err
    assert main(["render", str(tmp_path / "absent.gpkg"), str(out)]) == 3
    assert "absent.gpkg" in capsys.readouterr().err
    assert not out.exists()

"""The saved file opens in QGIS 3.22 (headless) with our feature counts and territory colours."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from terradesk.io.gpkg import save_project
from tests.factories import grid_project
from tests.io.test_gpkg_roundtrip import SYSTEM_PYTHON

_PROBE = """
import json, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in ("units", "territories", "accounts", "owners", "assignments"):
    layer = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
    info = {"valid": layer.isValid(), "count": layer.featureCount()}
    renderer = layer.renderer()
    if renderer is not None:
        info["renderer"] = renderer.type()
        if renderer.type() == "categorizedSymbol":
            info["attr"] = renderer.classAttribute()
            info["categories"] = [[c.value(), c.label(), c.symbol().color().name()] for c in renderer.categories()]
    out[name] = info
print("RESULT" + json.dumps(out))
app.exitQgis()
"""


def _has_qgis() -> bool:
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_qgis(), reason="QGIS (python3-qgis) is not installed")
def test_qgis_opens_the_project_with_our_colours(tmp_path: Path) -> None:
    p = grid_project(accounts=12)
    al = p.active_alignment
    assert al is not None
    colours = ["#e41a1c", "#377eb8", "#4daf4a"]
    for t, colour in zip(al.territories.values(), colours, strict=True):
        t.colour = colour
    next(iter(al.territories.values())).name = 'North & <"Coast">'
    path = tmp_path / "qgis.gpkg"
    save_project(p, path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([SYSTEM_PYTHON, "-c", _PROBE, str(path)], capture_output=True, text=True, env=env, timeout=120)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, r.stdout + r.stderr
    out = json.loads(line[len("RESULT"):])
    assert out["units"] == {"valid": True, "count": len(p.units), "renderer": "singleSymbol"}
    assert out["accounts"]["count"] == 12 and out["owners"]["count"] == len(p.owners)
    assert out["assignments"]["valid"] and out["assignments"]["count"] == len(p.units)
    terr = out["territories"]
    assert terr["valid"] and terr["count"] == 3 and terr["renderer"] == "categorizedSymbol"
    assert terr["attr"] == "uuid"
    expected = [[t.id, t.name, t.colour] for t in al.territories.values()]
    assert terr["categories"] == expected

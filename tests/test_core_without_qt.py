"""The core (model, geo, edit, io, analysis, cli) runs where Qt is not installed."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import terradesk
core = ["terradesk.model", "terradesk.geo", "terradesk.edit", "terradesk.io", "terradesk.analysis", "terradesk.cli"]
for name in core:
    pkg = importlib.import_module(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        importlib.import_module(info.name)
from terradesk.cli import build_parser
build_parser()
qt = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "pyqtgraph", "shiboken6"})
print(",".join(qt))
"""


def test_importing_the_whole_core_and_cli_loads_no_qt() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""

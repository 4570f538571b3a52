"""Guard against PySide6 6.12.0 on Python 3.11 ('Fatal Python error: none_dealloc'),
which crashes after many calls of methods returning None; the canvas builds paths with
hundreds of thousands of such calls."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
from PySide6.QtGui import QPainterPath
p = QPainterPath()
for i in range(300_000):
    p.moveTo(float(i), 0.0)
    p.lineTo(float(i), 1.0)  # keeps every moveTo (Qt folds consecutive moveTo calls)
print(p.elementCount())
"""


def test_many_none_returning_calls_do_not_crash():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "600000"

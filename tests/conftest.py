"""Test set-up: Qt headless (offscreen) for the tests under tests/ui only."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
# autosave snapshots of windows built by tests never go to the user's real recovery folder
os.environ.setdefault("TERRADESK_RECOVERY_DIR", tempfile.mkdtemp(prefix="terradesk-test-recovery-"))

"""What the window remembers between sessions: layout, recent files, preferences.

Everything goes through one :class:`Settings` object wrapping a ``QSettings`` so tests can
hand in a temporary INI file instead of touching the user's real settings.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 9

#: Preference keys and their defaults (types follow the defaults).
PREFERENCES: dict[str, object] = {
    "open_last_on_start": False,
    "export_width": 1600,
    "export_height": 1000,
    "autosave_minutes": 2,  # recovery snapshots while there are unsaved changes (terradesk.ui.recovery)
}


class Settings:
    """Typed accessors over ``QSettings`` (organisation TerraDesk, application TerraDesk)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings if qsettings is not None else QSettings("TerraDesk", "TerraDesk")

    # -- window layout ------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self.q.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_state(self) -> QByteArray | None:
        value = self.q.value("window/state")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)
        self.q.sync()

    # -- recent files -------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.q.value("files/recent", [])
        if isinstance(value, str):  # QSettings returns a bare string for one-item lists
            value = [value]
        items = value if isinstance(value, list | tuple) else []
        return [str(v) for v in items if v][:MAX_RECENT]

    def add_recent_file(self, path: str | Path) -> list[str]:
        text = str(Path(path).resolve())
        files = [text, *(f for f in self.recent_files() if f != text)][:MAX_RECENT]
        self.q.setValue("files/recent", files)
        self.q.sync()
        return files

    def remove_recent_file(self, path: str) -> None:
        self.q.setValue("files/recent", [f for f in self.recent_files() if f != path])

    def clear_recent_files(self) -> None:
        self.q.setValue("files/recent", [])
        self.q.sync()

    # -- preferences --------------------------------------------------------------
    def preference(self, key: str) -> object:
        default = PREFERENCES[key]
        value = self.q.value(f"preferences/{key}", default)
        if isinstance(default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(default, int):
            try:
                return int(value)  # type: ignore[call-overload]
            except (TypeError, ValueError):
                return default
        return value

    def set_preference(self, key: str, value: object) -> None:
        if key not in PREFERENCES:
            raise KeyError(key)
        self.q.setValue(f"preferences/{key}", value)

"""``terradesk``: the desktop application. ``terradesk --demo`` or ``terradesk FILE.gpkg``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from terradesk import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="terradesk", description="TerraDesk territory planning.")
    parser.add_argument("file", nargs="?", help="a TerraDesk project (.gpkg) to open")
    parser.add_argument("--demo", action="store_true", help="open the generated demo project")
    parser.add_argument("--version", action="version", version=f"terradesk {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = build_parser().parse_known_args(argv)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from terradesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setOrganizationName("TerraDesk")
    app.setApplicationName("TerraDesk")
    app.setApplicationVersion(__version__)
    window = MainWindow()
    window.show()

    def startup() -> None:
        if args.demo:
            window.open_demo()
        elif args.file:
            window.open_path(args.file, ask=False)
        elif window.settings.preference("open_last_on_start") and window.settings.recent_files():
            window.open_path(window.settings.recent_files()[0], ask=False)
        window.recovery.offer()  # after the start-up open, so nothing replaces a restored project

    QTimer.singleShot(0, startup)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())

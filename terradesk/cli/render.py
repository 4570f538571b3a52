"""``terradesk-cli render PROJECT OUT.png``: draw the map headless, as the window shows it.

Qt is imported only inside :func:`run`, so every other verb works where Qt is absent.
"""

from __future__ import annotations

import argparse
import os
import sys

from terradesk.io.errors import ExitCode, ImportSourceError, SaveError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("render", help="render the project map to a PNG or SVG image")
    p.add_argument("project", help="TerraDesk project file (.gpkg)")
    p.add_argument("out", help="output image (.png or .svg)")
    p.add_argument("--width", type=int, default=1600, help="image width in pixels (default 1600)")
    p.add_argument("--height", type=int, default=1000, help="image height in pixels (default 1000)")
    p.add_argument("--alignment", help="draw this alignment (by name) instead of the active one")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not (16 <= args.width <= 20000 and 16 <= args.height <= 20000):
        print("terradesk-cli render: --width and --height must be between 16 and 20000", file=sys.stderr)
        return int(ExitCode.USAGE)
    if not args.out.lower().endswith((".png", ".svg", ".jpg", ".jpeg")):
        raise ImportSourceError(f"{args.out}: the output must end in .png, .svg or .jpg")
    from terradesk.io.gpkg import open_project

    project = open_project(args.project).project
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from terradesk.ui.render import render_to_file

    try:
        render_to_file(project, args.out, args.width, args.height, args.alignment)
    except KeyError as exc:
        print(f"terradesk-cli render: {exc.args[0]}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except OSError as exc:
        raise SaveError(f"{args.out}: {exc.strerror or exc}") from exc
    print(f"wrote {args.out} ({args.width}x{args.height})")
    return int(ExitCode.OK)

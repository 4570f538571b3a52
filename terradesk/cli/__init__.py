"""``terradesk-cli``: headless verbs. Each verb lives in its own module in this package.

A verb module defines ``register(subparsers)`` which adds its parser and sets
``func=run`` where ``run(args) -> int`` returns an :class:`ExitCode`. Modules are found
automatically, so adding a verb touches no shared file. Qt is reached only lazily by the
verbs that draw (``render``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from terradesk import __version__
from terradesk.io.errors import ExitCode, TerraDeskError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="terradesk-cli", description="TerraDesk territory planning, headless.")
    parser.add_argument("--version", action="version", version=f"terradesk {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args))
    except TerraDeskError as exc:
        print(f"terradesk-cli {args.verb}: {exc}", file=sys.stderr)
        code = int(exc.exit_code)
    except KeyboardInterrupt:
        print(f"terradesk-cli {args.verb}: interrupted", file=sys.stderr)
        code = 130
    except MemoryError:
        print(f"terradesk-cli {args.verb}: out of memory", file=sys.stderr)
        code = int(ExitCode.INTERNAL)
    except Exception as exc:  # a traceback is a bug: say it in one line, with the class name
        print(f"terradesk-cli {args.verb}: internal error ({type(exc).__name__}: {exc})", file=sys.stderr)
        code = int(ExitCode.INTERNAL)
    return code


if __name__ == "__main__":
    sys.exit(main())

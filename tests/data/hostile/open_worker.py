"""Open files one after another under a memory cap; print one JSON line per file.

``python open_worker.py LIMIT_MB FILE...``: the address space is capped with
``resource.setrlimit(RLIMIT_AS)`` so a file that makes the reader allocate without bound
fails here instead of swapping the machine. The parent process enforces the time limit
(it kills the worker when a line does not arrive in time) and checks the file bytes.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    try:
        import resource
    except ImportError:  # Windows: no address-space cap, the time limit still applies
        resource = None  # type: ignore[assignment]
    if resource is not None:
        limit = int(argv[0]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from terradesk.io.errors import TerraDeskError
    from terradesk.io.gpkg import open_project

    print(json.dumps({"ready": True}), flush=True)
    for name in argv[1:]:
        start = time.perf_counter()
        out: dict[str, object] = {"file": name}
        try:
            result = open_project(name)
        except TerraDeskError as exc:
            out.update(outcome=type(exc).__name__, message=str(exc), base=[c.__name__ for c in type(exc).__mro__])
        except BaseException as exc:  # the test reports anything else as a bug
            out.update(outcome="RAW:" + type(exc).__name__, message=str(exc)[:300],
                       trace=traceback.format_exc()[-1500:])
        else:
            out.update(outcome="ok", warnings=result.warnings, units=len(result.project.units))
        out["seconds"] = round(time.perf_counter() - start, 3)
        if resource is not None:
            out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(out, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

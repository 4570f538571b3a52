"""Incremental refresh equals a full recompute, after any sequence of edits and undos."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terradesk.analysis.metrics import MetricsEngine, MetricSpec, Target
from terradesk.edit import (
    History,
    add_owner,
    assign_units,
    create_territory,
    delete_territory,
    pin_accounts,
    set_owner_property,
    set_territory_property,
)
from terradesk.model import Project
from tests.factories import grid_project

from .real_geography import real_project

SPEC = MetricSpec(formula="revenue * 0.01 + accounts * 0.2",
                  targets=(Target("accounts"), Target("workload", "capacity", 0.2)))
_PROJECTS: dict[str, Project] = {}


def _same(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> None:
    assert a.keys() == b.keys()
    for tid in a:
        assert a[tid].keys() == b[tid].keys()
        for name, va in a[tid].items():
            vb = b[tid][name]
            assert (math.isnan(va) and math.isnan(vb)) or math.isclose(va, vb, rel_tol=1e-9, abs_tol=1e-6), (name, va, vb)


edit = st.tuples(st.integers(0, 4), st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=12), st.booleans())
def test_incremental_equals_full_recompute(edits: list[tuple[int, int, int, int]], real: bool) -> None:
    project = real_project(accounts=400) if real else grid_project(8, 6, territories=3, accounts=120)
    al = project.active_alignment
    assert al is not None
    project.accounts.fields.setdefault("revenue", np.ones(len(project.accounts)))
    engine = MetricsEngine(project, al.id, SPEC)
    seen: list[set[str]] = []
    engine.changed.connect(seen.append)
    history = History(project)
    n_units = len(project.units)
    for op, a, b, size in edits:
        tids = list(al.territories)
        if op <= 1 and tids:  # paint a few units (most common gesture)
            units = (np.arange(size) * 7 + a) % n_units
            cmd = assign_units(project, al.id, units, tids[b % len(tids)], skip_locked=False)
            if cmd is not None:
                history.push(cmd)
                assert seen and seen[-1], "a refresh announces the touched territories"
        elif op == 2:
            if a % 3 == 0 and tids:
                history.push(delete_territory(project, al.id, tids[b % len(tids)]))
            else:
                history.push(create_territory(project, al.id, f"N{a}"))
        elif op == 3 and tids:
            ids = list(project.accounts.ids[a % len(project.accounts): a % len(project.accounts) + size])
            history.push(pin_accounts(project, al.id, ids, tids[b % len(tids)] if b % 4 else None))
        elif op == 4 and tids:
            history.push(add_owner(project, f"O{a}", home=tuple(project.accounts.x[:1].tolist() + project.accounts.y[:1].tolist()),
                                   capacity=float(size * 50)))
            oid = list(project.owners)[-1]
            history.push(set_territory_property(project, al.id, tids[b % len(tids)], "owner_id", oid))
            history.push(set_owner_property(project, oid, "capacity", float(size * 10)))
        _same(engine.rows(), MetricsEngine(project, al.id, SPEC).rows())
    history.undo_all()
    _same(engine.rows(), MetricsEngine(project, al.id, SPEC).rows())
    engine.close()


def test_one_assignment_touches_only_two_territories_and_close_disconnects() -> None:
    project = grid_project(6, 4, territories=3, accounts=60)
    al = project.active_alignment
    assert al is not None
    engine = MetricsEngine(project, al.id, SPEC)
    before = engine.rows()
    seen: list[set[str]] = []
    engine.changed.connect(seen.append)
    t1, t2, t3 = al.territories
    unit = int(al.units_of(t1)[0])
    History(project).push(assign_units(project, al.id, [unit], t2))  # type: ignore[arg-type]
    assert seen == [{t1, t2}]
    after = engine.rows()
    assert after[t3]["revenue"] == before[t3]["revenue"]
    assert after[t1]["units"] == before[t1]["units"] - 1
    assert after[t2]["units"] == before[t2]["units"] + 1
    engine.close()
    History(project).push(assign_units(project, al.id, [unit], t3))  # type: ignore[arg-type]
    assert len(seen) == 1


def test_undo_restores_metrics_and_deviation_follows_the_mean() -> None:
    project = grid_project(6, 4, territories=3, accounts=60)
    al = project.active_alignment
    assert al is not None
    engine = MetricsEngine(project, al.id, SPEC)
    start = engine.rows()
    t1, t2, _ = al.territories
    h = History(project)
    h.push(assign_units(project, al.id, al.units_of(t1), t2))  # type: ignore[arg-type]
    rows = engine.rows()
    assert rows[t1]["units"] == 0 and rows[t1]["accounts"] == 0
    assert math.isnan(rows[t1]["compactness"])
    mean = np.mean([r["accounts"] for r in rows.values()])
    assert engine.deviation(t2, "accounts") == (rows[t2]["accounts"] - mean) / mean
    h.undo()
    _same(engine.rows(), start)


def test_owner_home_moves_distances() -> None:
    project = grid_project(6, 4, territories=2, accounts=40)
    al = project.active_alignment
    assert al is not None
    t1 = next(iter(al.territories))
    h = History(project)
    oid = next(iter(project.owners))
    h.push(set_territory_property(project, al.id, t1, "owner_id", oid))
    engine = MetricsEngine(project, al.id)
    assert math.isnan(engine.rows()[t1]["home_to_centre_km"])  # no home yet
    h.push(set_owner_property(project, oid, "home", (4_001_500.0, 3_002_000.0)))
    # strip T1 covers x 4,000,000..4,003,000, y 3,000,000..3,004,000: centre (4,001,500, 3,002,000)
    assert engine.rows()[t1]["home_to_centre_km"] < 0.01
    assert 2.0 < engine.rows()[t1]["home_to_farthest_km"] < 2.51

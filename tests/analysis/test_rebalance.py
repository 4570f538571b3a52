"""Rebalance: hard constraints hold on random instances, known optima are found, runs are
deterministic and cancellable, and accepting a proposal is one undo step."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terradesk.analysis.rebalance import (
    MetricError,
    MetricGoal,
    ProgressInfo,
    RebalanceSpec,
    create_territories,
    polsby_popper,
    rebalance,
    unit_adjacency,
)
from terradesk.analysis.rebalance.graph import components
from terradesk.edit import AddAlignment, History, reassign_units, set_territory_property
from terradesk.model import Owner
from tests.factories import freeform_project, grid_project, grid_units


def spec(*goals: MetricGoal, **kw: object) -> RebalanceSpec:
    return RebalanceSpec(goals=list(goals) or [MetricGoal("potential", 0.05)], time_limit_s=kw.pop("time_limit_s", 5.0),
                         **kw)  # type: ignore[arg-type]


def pieces(project, keys) -> list[int]:
    adj = unit_adjacency(project.units)
    n = int(keys.max()) + 1
    return [components(adj, keys, k) for k in range(n)]


# -- graph -------------------------------------------------------------------------------
def test_adjacency_is_rook_with_shared_lengths() -> None:
    adj = unit_adjacency(grid_units(3, 2))
    # 3x2 grid: 3 vertical-neighbour pairs + 4 horizontal = 7, corners do not count
    assert len(adj.edges) == 7
    assert {tuple(e) for e in adj.edges.tolist()} == {(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)}
    assert np.allclose(adj.edge_length, 1000.0)
    assert sorted(adj.neighbours(4).tolist()) == [1, 3, 5]


def test_adjacency_fallback_matches_on_dirty_coverage() -> None:
    units = grid_units(3, 1)
    geoms = units.geometry.copy()
    # unit 1 gets an extra vertex on its left edge: edge hashing misses the pair 0-1
    x0, y0 = 4_001_000.0, 3_000_000.0
    geoms[1] = shapely.Polygon([(x0, y0), (x0 + 1000, y0), (x0 + 1000, y0 + 1000), (x0, y0 + 1000), (x0, y0 + 500)])
    units.set_values("geometry", np.arange(3), geoms)
    adj = unit_adjacency(units, method="strtree")
    assert {tuple(e) for e in adj.edges.tolist()} == {(0, 1), (1, 2)}
    assert np.allclose(adj.edge_length, 1000.0)


def test_polsby_popper_of_a_square_and_a_strip() -> None:
    adj = unit_adjacency(grid_units(4, 1))
    square = polsby_popper(adj, np.array([0, 1, 1, 1]), 2)
    assert square[0] == pytest.approx(np.pi / 4)  # 4 pi A / P^2 for a square
    assert square[1] == pytest.approx(4 * np.pi * 3 / 8**2)


# -- known optimum ---------------------------------------------------------------------------
def test_four_by_two_grid_needs_exactly_one_move() -> None:
    project = grid_project(4, 2, territories=2)
    al = project.active_alignment
    # left strip (units 0, 1, 4, 5) holds 40, right strip 20: one unit of 10 balances it
    project.units.fields["potential"] = np.array([10, 10, 5, 5, 10, 10, 5, 5], dtype=float)
    result = rebalance(project, al.id, spec(MetricGoal("potential", 0.01)))
    assert result.reason == "balanced"
    assert len(result.moved_units) == 1
    assert result.moved_units[0] in (1, 5)  # a boundary unit of the donor
    assert result.after.max_deviation == pytest.approx(0.0)
    assert result.before.max_deviation == pytest.approx(1 / 3)
    assert result.balanced


def test_already_balanced_plan_moves_nothing() -> None:
    project = grid_project(4, 2, territories=2)
    project.units.fields["potential"] = np.ones(8)
    result = rebalance(project, project.active_alignment.id, spec())
    assert len(result.moved_units) == 0
    assert reassign_units(project, *result.changes(project)) is None


# -- constraints on random instances -----------------------------------------------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    nx=st.integers(3, 7), ny=st.integers(2, 6), k=st.integers(2, 4), seed=st.integers(0, 10_000),
    lock_territory=st.booleans(), n_locked_units=st.integers(0, 3), n_pins=st.integers(0, 3),
)
def test_constraints_are_never_violated(nx, ny, k, seed, lock_territory, n_locked_units, n_pins) -> None:
    k = min(k, nx)
    project = grid_project(nx, ny, territories=k, accounts=12, seed=seed)
    al = project.active_alignment
    rng = np.random.default_rng(seed)
    n = nx * ny
    project.units.fields["potential"] = rng.integers(1, 20, n).astype(float)
    history = History(project)
    tids = list(al.territories)
    if lock_territory:
        history.push(set_territory_property(project, al.id, tids[0], "locked", True))
    locked_units = rng.choice(n, n_locked_units, replace=False).tolist()
    pinned = rng.choice(len(project.accounts), n_pins, replace=False)
    for a in pinned.tolist():
        al.pins[project.accounts.ids[a]] = tids[-1]
    start = al.assignment.copy()
    before = pieces(project, start)
    result = rebalance(project, al.id, spec(MetricGoal("potential", 0.05), locked_units=locked_units,
                                             time_limit_s=2.0, seed=seed))
    after = result.assignment
    # contiguity: no territory falls into more pieces, none disappears
    assert all(b <= a_ or a_ == 0 for a_, b in zip(before, pieces(project, after), strict=True))
    assert all(p >= 1 for p in pieces(project, after)[: len(tids)] if p is not None)
    # locks: locked territory and locked units keep exactly their units
    if lock_territory:
        key = al.key(tids[0])
        assert np.array_equal(start == key, after == key)
    assert np.array_equal(start[locked_units], after[locked_units])
    # pins: units holding a pinned account do not change territory
    from terradesk.analysis.rebalance.weights import account_units

    where = account_units(project.units, project.accounts)[pinned]
    where = where[where >= 0]
    assert np.array_equal(start[where], after[where])
    # the proposal is never worse than the start and is consistent
    assert result.after.max_deviation <= result.before.max_deviation + 1e-9
    assert set(result.moved_units.tolist()) == set(np.flatnonzero(start != after).tolist())
    assert np.array_equal(al.assignment, start)  # nothing edited before accept


def test_max_distance_keeps_units_near_the_owner_home() -> None:
    project = grid_project(8, 4, territories=2)
    al = project.active_alignment
    project.units.fields["potential"] = np.where(np.arange(32) % 8 < 4, 10.0, 2.0)
    owner = Owner("Bo", home=(4_008_000.0, 3_002_000.0))  # east edge of the grid
    project.owners[owner.id] = owner
    east = list(al.territories)[1]
    al.territory(east).owner_id = owner.id
    limit = 5_000.0  # column 3 of the grid is within reach, column 2 is not
    result = rebalance(project, al.id, spec(max_distance_m=limit))
    c = shapely.get_coordinates(shapely.centroid(project.units.geometry))
    gained = result.moved_units[result.assignment[result.moved_units] == al.key(east)]
    assert len(gained) > 0
    assert np.all(np.hypot(c[gained, 0] - owner.home[0], c[gained, 1] - owner.home[1]) <= limit)
    assert not result.balanced  # the limit stops it short of balance, and says so
    assert result.reason == "stuck"


# -- determinism, progress, cancellation ---------------------------------------------------------------
def _uneven(nx: int = 12, ny: int = 10, k: int = 4):
    project = grid_project(nx, ny, territories=k)
    rng = np.random.default_rng(3)
    project.units.fields["potential"] = rng.integers(1, 30, nx * ny).astype(float) * np.where(
        np.arange(nx * ny) % nx < nx // 4, 3, 1)
    return project


def test_same_seed_same_plan() -> None:
    project = _uneven()
    aid = project.active_alignment.id
    a = rebalance(project, aid, spec(seed=7))
    b = rebalance(project, aid, spec(seed=7))
    assert a.balanced and np.array_equal(a.assignment, b.assignment)


def test_progress_reports_worst_deviation() -> None:
    project = _uneven()
    seen: list[ProgressInfo] = []
    result = rebalance(project, project.active_alignment.id, spec(), progress=seen.append)
    assert seen and seen[0].max_deviation == pytest.approx(result.before.max_deviation)
    assert seen[-1].phase == "done" and seen[-1].max_deviation == pytest.approx(result.after.max_deviation)


def test_cancel_keeps_the_best_plan_so_far() -> None:
    project = _uneven(20, 16, 5)
    aid = project.active_alignment.id
    polls = {"n": 0}

    def cancel() -> bool:
        polls["n"] += 1
        return polls["n"] > 2

    result = rebalance(project, aid, spec(MetricGoal("potential", 0.01)), cancel=cancel)
    assert result.reason == "cancelled"
    assert result.after.max_deviation < result.before.max_deviation  # progress kept, not thrown away
    assert all(p == 1 for p in pieces(project, result.assignment))
    immediate = rebalance(project, aid, spec(), cancel=lambda: True)
    assert immediate.reason == "cancelled" and len(immediate.moved_units) == 0


# -- accept = one undo step -------------------------------------------------------------------------
def test_accept_is_one_undo_step() -> None:
    project = _uneven()
    al = project.active_alignment
    start = al.assignment.copy()
    result = rebalance(project, al.id, spec())
    history = History(project)
    command = reassign_units(project, *result.changes(project))
    history.push(command)
    assert len(history) == 1 and history.undo_label.startswith("Rebalance Sales")
    assert np.array_equal(al.assignment, result.assignment)
    history.undo()
    assert np.array_equal(al.assignment, start)
    history.redo()  # the plan now differs from the run's start: a stale proposal is refused
    with pytest.raises(ValueError, match="changed since"):
        result.changes(project)


def test_accounts_changing_owner_are_listed() -> None:
    project = grid_project(4, 2, territories=2, accounts=40, seed=2)
    project.units.fields["potential"] = np.array([10, 10, 5, 5, 10, 10, 5, 5], dtype=float)
    result = rebalance(project, project.active_alignment.id, spec(MetricGoal("potential", 0.01)))
    from terradesk.analysis.rebalance.weights import account_units

    where = account_units(project.units, project.accounts)
    expected = np.flatnonzero(np.isin(where, result.moved_units))
    assert np.array_equal(result.accounts_changing_owner, expected)
    assert result.revenue_changing_owner == pytest.approx(project.accounts.fields["revenue"][expected].sum())


# -- several goals, account metrics ----------------------------------------------------------------------
def test_two_goals_and_account_metrics() -> None:
    project = grid_project(10, 8, territories=4, accounts=400, seed=4)
    project.units.fields["potential"] = np.random.default_rng(1).integers(1, 9, 80).astype(float)
    goals = (MetricGoal("potential", 0.1), MetricGoal("accounts", 0.2))
    result = rebalance(project, project.active_alignment.id, spec(*goals))
    assert result.after.max_deviation_of("potential") <= 0.1 + 1e-9
    assert result.after.max_deviation_of("accounts") <= 0.2 + 1e-9
    assert result.after.rows()[0]["name"] == "T1"


# -- bad input -------------------------------------------------------------------------------------
def test_bad_input_gives_clear_messages() -> None:
    project = grid_project(4, 2, territories=2)
    aid = project.active_alignment.id
    with pytest.raises(MetricError, match="unit fields are population, potential"):
        rebalance(project, aid, spec(MetricGoal("nope")))
    with pytest.raises(ValueError, match="between 0 and 1"):
        MetricGoal("potential", tolerance=5)
    with pytest.raises(ValueError, match="at least one metric"):
        RebalanceSpec(goals=[])
    drawn = freeform_project()
    with pytest.raises(ValueError, match="drawn by hand"):
        rebalance(drawn, drawn.active_alignment.id, spec())


# -- create ------------------------------------------------------------------------------------------
def test_create_territories_contiguous_balanced_and_addable() -> None:
    project = grid_project(12, 10, territories=1)
    owner = Owner("Cy", home=(4_000_500.0, 3_000_500.0))
    project.owners[owner.id] = owner
    plan = create_territories(project, 4, spec(MetricGoal("population", 0.05), seed=1), name_prefix="Area",
                              alignment_name="Fresh")
    al = plan.alignment
    assert [t.name for t in al] == ["Area 1", "Area 2", "Area 3", "Area 4"]
    assert al.territories[next(iter(al.territories))].owner_id is not None
    assert (al.assignment >= 0).all()
    assert all(p == 1 for p in pieces(project, al.assignment))
    assert plan.table.max_deviation <= 0.05 + 1e-9
    History(project).push(AddAlignment(al, label=plan.label))
    assert project.alignment_by_name("Fresh") is al
    again = create_territories(project, 4, spec(MetricGoal("population", 0.05), seed=1), alignment_name="Fresh")
    assert np.array_equal(again.alignment.assignment, al.assignment)


def test_create_over_selected_units_only() -> None:
    project = grid_project(6, 4, territories=1)
    chosen = np.flatnonzero(np.arange(24) % 6 < 3)
    plan = create_territories(project, 2, spec(MetricGoal("population", 0.2)), units=chosen)
    assert (plan.alignment.assignment[chosen] >= 0).all()
    assert (np.delete(plan.alignment.assignment, chosen) == -1).all()
    with pytest.raises(ValueError, match="cannot make 30 territories"):
        create_territories(project, 30, spec(MetricGoal("population", 0.2)))

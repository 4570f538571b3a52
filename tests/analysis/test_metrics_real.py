"""Metrics against independent computations on real counties (libpysal's bundled shapefiles)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from terradesk.analysis.metrics import MetricsEngine, MetricSpec, Target
from terradesk.analysis.topology import CoverageTopology
from terradesk.edit import History, add_alignment, create_territory, pin_accounts, set_territory_geometry
from terradesk.geo.crs import transform_geometries

from .real_geography import libpysal_units, real_project

GEOD = Geod(ellps="WGS84")


def _truth(project, al, tid):  # type: ignore[no-untyped-def]
    """Brute force: dissolve with union_all, contains per account, geodesic measures."""
    members = al.units_of(tid)
    union = shapely.union_all(project.units.geometry[members])
    lonlat = transform_geometries(np.array([union], dtype=object), project.meta.crs, "EPSG:4326")[0]
    area, _ = GEOD.geometry_area_perimeter(lonlat)
    inside = shapely.contains_xy(union, project.accounts.x, project.accounts.y)
    parts = list(getattr(union, "geoms", [union]))
    return {
        "area_km2": abs(area) / 1e6,
        "perimeter_km": GEOD.geometry_length(lonlat.boundary) / 1e3,
        "units": len(members),
        "accounts": int(inside.sum()),
        "revenue": float(np.nansum(project.accounts.fields["revenue"][inside])),
        "parts": len(parts),
        "holes": sum(len(p.interiors) for p in parts),
        "compactness": 4 * np.pi * abs(area) / GEOD.geometry_length(lonlat.boundary) ** 2,
    }


@pytest.mark.parametrize(("name", "crs"), [("sids2.shp", "EPSG:4326"), ("vautm17n.shp", "EPSG:32617")])
def test_metrics_match_brute_force_on_real_counties(name: str, crs: str) -> None:
    project = real_project(name, crs)
    al = project.active_alignment
    assert al is not None
    engine = MetricsEngine(project, al.id)
    rows = engine.rows()
    assert len(rows) == 5
    for tid, row in rows.items():
        truth = _truth(project, al, tid)
        assert row["area_km2"] == pytest.approx(truth["area_km2"], rel=1e-4)
        assert row["perimeter_km"] == pytest.approx(truth["perimeter_km"], rel=1e-6)
        assert row["compactness"] == pytest.approx(truth["compactness"], rel=1e-3)
        assert row["units"] == truth["units"]
        assert row["accounts"] == truth["accounts"]  # random points never lie exactly on a border
        assert row["revenue"] == pytest.approx(truth["revenue"])
        assert (row["parts"], row["holes"]) == (truth["parts"], truth["holes"])
    engine.close()


def test_topology_matches_union_for_random_subsets() -> None:
    geoms, _ = libpysal_units("sids2.shp")
    topo = CoverageTopology(geoms, "EPSG:4326")
    assert topo.clean
    rng = np.random.default_rng(0)
    for _ in range(25):
        sel = np.flatnonzero(rng.random(len(geoms)) < rng.uniform(0.05, 0.9))
        stats = topo.stats(sel)
        union = shapely.union_all(geoms[sel])
        parts = list(getattr(union, "geoms", [union]))
        assert stats.perimeter_m == pytest.approx(GEOD.geometry_length(union.boundary), rel=1e-9)
        assert stats.parts == len(parts)
        assert stats.holes == sum(len(p.interiors) for p in parts)


def test_distances_from_owner_home_are_geodesic() -> None:
    project = real_project()
    al = project.active_alignment
    assert al is not None
    engine = MetricsEngine(project, al.id)
    for tid, row in engine.rows().items():
        owner = project.owners[al.territory(tid).owner_id]  # type: ignore[index]
        assert owner.home is not None
        members = al.units_of(tid)
        union = shapely.union_all(project.units.geometry[members])
        inside = shapely.contains_xy(union, project.accounts.x, project.accounts.y)
        _, _, d = GEOD.inv(np.full(inside.sum(), owner.home[0]), np.full(inside.sum(), owner.home[1]),
                           project.accounts.x[inside], project.accounts.y[inside])
        assert row["home_to_farthest_km"] == pytest.approx(d.max() / 1e3, rel=1e-9)
        # area-weighted centre of the units: close to the planar centroid of the union
        c = union.centroid
        centre = GEOD.inv(owner.home[0], owner.home[1], c.x, c.y)[2] / 1e3
        assert row["home_to_centre_km"] == pytest.approx(centre, abs=5.0)


def test_pins_override_the_map_and_unplaced_accounts_count_nowhere() -> None:
    project = real_project(accounts=300)
    al = project.active_alignment
    assert al is not None
    project.accounts.x[:5] = np.nan  # unplaced: in no territory unless pinned
    engine = MetricsEngine(project, al.id)
    tids = list(al.territories)
    t0 = shapely.union_all(project.units.geometry[al.units_of(tids[0])])
    x, y = project.accounts.x, project.accounts.y
    inside = shapely.contains_xy(t0, x, y)
    assert engine.rows()[tids[0]]["accounts"] == inside.sum()
    History(project).push(pin_accounts(project, al.id, list(project.accounts.ids[:10]), tids[0]))
    rows = engine.rows()
    fresh = MetricsEngine(project, al.id).rows()
    for tid in tids:
        assert rows[tid]["accounts"] == fresh[tid]["accounts"]
    # the ten pinned accounts (five without a location) all count in T0
    assert rows[tids[0]]["accounts"] == inside[10:].sum() + 10
    engine.close()


def test_freeform_alignment_counts_by_point_in_polygon() -> None:
    project = real_project(accounts=800)
    h = History(project)
    h.push(add_alignment(project, "Drawn", kind="freeform"))
    al = project.alignment_by_name("Drawn")
    assert al is not None
    b = shapely.total_bounds(project.units.geometry)
    mid = (b[0] + b[2]) / 2
    west = shapely.box(b[0], b[1], mid, b[3]).difference(shapely.box(mid - 1, b[1] + 0.5, mid - 0.5, b[1] + 1))
    east = shapely.box(mid, b[1], b[2], b[3])
    for name, geom in (("West", west), ("East", east)):
        h.push(create_territory(project, al.id, name))
        h.push(set_territory_geometry(project, al.id, list(al.territories)[-1], geom))
    engine = MetricsEngine(project, al.id, MetricSpec(formula="visits_per_year * 1.5 + accounts * 0.2"))
    rows = engine.rows()
    x, y = project.accounts.x, project.accounts.y
    w_tid, e_tid = list(al.territories)
    in_west = shapely.contains_xy(west, x, y)
    in_east = shapely.contains_xy(east, x, y) & ~in_west
    assert rows[w_tid]["accounts"] == in_west.sum()
    assert rows[e_tid]["accounts"] == in_east.sum()
    assert rows[w_tid]["holes"] == 1 and rows[w_tid]["parts"] == 1
    area, _ = GEOD.geometry_area_perimeter(west)
    assert rows[w_tid]["area_km2"] == pytest.approx(abs(area) / 1e6, rel=1e-3)
    visits = project.accounts.fields["visits_per_year"]
    assert rows[w_tid]["workload"] == pytest.approx(visits[in_west].sum() * 1.5 + in_west.sum() * 0.2)
    # editing a shape updates the counts
    got: list[set[str]] = []
    engine.changed.connect(got.append)
    h.push(set_territory_geometry(project, al.id, w_tid, shapely.box(b[0], b[1], mid, (b[1] + b[3]) / 2)))
    assert got and w_tid in got[-1]
    assert engine.rows()[w_tid]["accounts"] == shapely.contains_xy(
        shapely.box(b[0], b[1], mid, (b[1] + b[3]) / 2), x, y).sum()


def test_capacity_targets_and_region_rollup() -> None:
    project = real_project()
    al = project.active_alignment
    assert al is not None
    spec = MetricSpec(formula="visits_per_year * 1.5 + accounts * 0.2",
                      targets=(Target("accounts", tolerance=0.2), Target("workload", "capacity")))
    engine = MetricsEngine(project, al.id, spec)
    rows = engine.rows()
    mean = np.mean([r["accounts"] for r in rows.values()])
    for tid, row in rows.items():
        cap = project.owners[al.territory(tid).owner_id].capacity  # type: ignore[index]
        assert engine.deviation(tid, "workload") == pytest.approx((row["workload"] - cap) / cap)
        assert row["accounts_deviation"] == pytest.approx((row["accounts"] - mean) / mean)
        assert engine.targets("workload")[tid] == cap
    regions = engine.region_rows()
    assert set(regions) == {"East", "West"}
    for region, vals in regions.items():
        mine = [r for t, r in rows.items() if al.territory(t).region == region]
        assert vals["accounts"] == sum(r["accounts"] for r in mine)
        assert vals["area_km2"] == pytest.approx(sum(r["area_km2"] for r in mine))
        assert vals["workload"] == pytest.approx(sum(r["workload"] for r in mine))
        rev = sum(r["revenue"] for r in mine)
        assert vals["revenue"] == pytest.approx(rev)
    names = [c.name for c in engine.columns()]
    assert {"workload", "workload_deviation", "accounts_deviation", "avg_revenue"} <= set(names)


def test_bad_spec_is_refused_clearly() -> None:
    project = real_project(accounts=10)
    al = project.active_alignment
    assert al is not None
    with pytest.raises(ValueError, match="unknown field 'visits'"):
        MetricsEngine(project, al.id, MetricSpec(formula="visits * 2"))
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        MetricsEngine(project, al.id, MetricSpec(targets=(Target("nope"),)))
    with pytest.raises(ValueError, match="no numeric account field named 'name'"):
        MetricsEngine(project, al.id, MetricSpec(account_fields=("name",)))

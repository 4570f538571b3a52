"""The demo generator: reproducible, a clean coverage, dense cities, sensible plans."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from terradesk.io.demo import MAX_UNITS, demo_land, generate_demo
from terradesk.model import UNASSIGNED, Project
from terradesk.model.ids import is_uuid


@pytest.fixture(scope="module")
def demo() -> Project:
    return generate_demo()


def test_same_seed_gives_the_same_project() -> None:
    a = generate_demo(200, 400, seed=7)
    b = generate_demo(200, 400, seed=7)
    assert a.state() == b.state()
    assert a.meta.revision_id == b.meta.revision_id


def test_different_seed_gives_a_different_project() -> None:
    a = generate_demo(200, 400, seed=1)
    b = generate_demo(200, 400, seed=2)
    assert a.state() != b.state()
    assert a.meta.project_id != b.meta.project_id
    assert not set(a.units.ids) & set(b.units.ids)


def test_account_count_leaves_units_alone() -> None:
    a = generate_demo(200, 100, seed=3)
    b = generate_demo(200, 300, seed=3)
    assert a.units.state() == b.units.state()


def test_default_size_and_metadata(demo: Project) -> None:
    assert len(demo.units) == 1500
    assert len(demo.accounts) == 5000
    assert demo.meta.name == "Demo region"
    assert demo.meta.crs == "EPSG:3035"
    assert demo.crs.to_epsg() == 3035
    bounds = shapely.total_bounds(demo.units.geometry)
    assert 4.0e6 < bounds[0] < bounds[2] < 4.6e6
    assert 3.1e6 < bounds[1] < bounds[3] < 3.7e6


def test_units_form_a_valid_coverage(demo: Project) -> None:
    geoms = demo.units.geometry
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert set(shapely.get_type_id(geoms).tolist()) <= {3, 6}  # Polygon, MultiPolygon
    assert shapely.coverage_is_valid(geoms)


def test_units_have_realistic_vertex_counts(demo: Project) -> None:
    vertices = shapely.get_num_coordinates(demo.units.geometry)
    assert 14 <= np.mean(vertices) <= 30


def test_unit_codes_are_unique_postal_codes(demo: Project) -> None:
    codes = demo.units.codes.tolist()
    assert len(set(codes)) == len(codes)
    assert all(isinstance(c, str) and len(c) == 5 and c.isdigit() for c in codes)
    assert all(is_uuid(i) for i in demo.units.ids)
    assert len({c[:2] for c in codes}) >= 3  # grouped by area


def test_population_and_potential_are_positive(demo: Project) -> None:
    pop = demo.units.column("population")
    pot = demo.units.column("market_potential")
    assert (pop > 0).all() and (pot > 0).all()


def test_cities_are_denser(demo: Project) -> None:
    land = demo_land(0)
    assert 3 <= len(land.cities) <= 5
    geoms = demo.units.geometry
    area = shapely.area(geoms)
    centre = shapely.centroid(geoms)
    x, y = shapely.get_x(centre), shapely.get_y(centre)
    to_city = np.min([np.hypot(x - c.x, y - c.y) for c in land.cities], axis=0)
    small = area <= np.percentile(area, 10)
    large = area >= np.percentile(area, 90)
    assert np.median(to_city[small]) * 4 < np.median(to_city[large])
    pop_density = demo.units.column("population") / area
    assert np.median(pop_density[small]) > 5 * np.median(pop_density[large])


def test_accounts_fall_inside_their_postal_code(demo: Project) -> None:
    acc = demo.accounts
    codes = acc.column("postal_code")
    rows = np.array([demo.units.index_of_code(c) for c in codes])
    inside = shapely.contains_xy(demo.units.geometry[rows], acc.x, acc.y)
    assert inside.all()
    for name in ("revenue", "potential", "visits_per_year"):
        assert (acc.column(name) >= 0).all()
    assert set(acc.column("segment")) <= {"Enterprise", "Mid-market", "SMB"}
    assert (acc.column("potential") >= acc.column("revenue")).all()


def test_sales_alignment_has_12_territories_in_3_regions(demo: Project) -> None:
    sales = demo.alignment_by_name("Sales 2027")
    assert sales is not None and sales.kind == "units"
    assert demo.active_alignment_id == sales.id
    territories = list(sales)
    assert len(territories) == 12
    assert len({t.region for t in territories}) == 3
    assert len({t.colour for t in territories}) == 12
    assert len({t.name for t in territories}) == 12
    assert (sales.assignment != UNASSIGNED).all()
    for t in territories:
        assert len(sales.units_of(t.id)) > 0
        owner = demo.owners[t.owner_id] if t.owner_id else None
        assert owner is not None and owner.role == "sales" and owner.capacity
        assert owner.home is not None
        home = shapely.points(*owner.home)
        assert shapely.intersects(demo.units.geometry[sales.units_of(t.id)], home).any()


def test_support_alignment_and_owners(demo: Project) -> None:
    support = demo.alignment_by_name("Customer support")
    assert support is not None
    assert 4 <= len(support.territories) <= 6
    assert (support.assignment != UNASSIGNED).all()
    roles = [demo.owners[t.owner_id].role for t in support if t.owner_id]
    assert roles == ["support"] * len(support.territories)
    assert len(demo.owners) == 12 + len(support.territories)
    assert len({o.name for o in demo.owners.values()}) == len(demo.owners)


def test_sales_territories_are_roughly_balanced(demo: Project) -> None:
    sales = demo.alignment_by_name("Sales 2027")
    assert sales is not None
    pot = demo.units.column("market_potential")
    loads = np.array([pot[sales.units_of(t.id)].sum() for t in sales]) / (pot.sum() / 12)
    assert loads.min() > 0.3 and loads.max() < 2.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": 10}, "units must be between"),
        ({"units": MAX_UNITS + 1}, "units must be between"),
        ({"accounts": -1}, "accounts cannot be negative"),
        ({"seed": -5}, "seed must be zero or positive"),
    ],
)
def test_bad_sizes_are_refused_clearly(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_demo(**kwargs)


def test_zero_accounts_is_fine() -> None:
    project = generate_demo(80, 0, seed=4)
    assert len(project.accounts) == 0
    assert len(project.units) == 80

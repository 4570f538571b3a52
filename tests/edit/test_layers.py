"""Reference-layer commands: one undo step each, exact undo, clear refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import shapely

from terradesk import edit
from terradesk.edit import History
from terradesk.model import Change, ChangeKind, ReferenceLayer, ReferenceStyle
from tests.factories import grid_project


def _layer(name: str = "Sites", kind: str = "point") -> ReferenceLayer:
    geom = {"point": shapely.Point(4e6, 3e6), "line": shapely.LineString([(4e6, 3e6), (4.001e6, 3e6)]),
            "polygon": shapely.box(4e6, 3e6, 4.001e6, 3.001e6)}[kind]
    return ReferenceLayer(name, kind, [geom], {"label": ["x"]})


def test_add_remove_restyle_move_each_undo_to_the_exact_state() -> None:
    p = grid_project()
    h = History(p)
    seen: list[Change] = []
    p.changed.connect(seen.append)
    start = p.state()
    a, b = _layer("A", "polygon"), _layer("B", "line")
    h.push(edit.add_reference_layer(p, a))
    h.push(edit.add_reference_layer(p, b, position=0))
    assert list(p.reference_layers) == [b.id, a.id]
    states = [p.state()]
    steps: list[Callable[[], edit.Command | None]] = [  # factories read the current state, so each is built right before its push
        lambda: edit.set_reference_style(p, a.id, colour="#ff0000", opacity=0.25),
        lambda: edit.set_reference_style(p, a.id, visible=False),
        lambda: edit.move_reference_layer(p, a.id, 0),
        lambda: edit.set_reference_property(p, b.id, "name", "Roads"),
        lambda: edit.remove_reference_layer(p, b.id),
    ]
    for make in steps:
        step = make()
        assert step is not None
        h.push(step)
        states.append(p.state())
    assert p.reference_layers[a.id].style == ReferenceStyle("#ff0000", 0.25, False)
    assert list(p.reference_layers) == [a.id]
    for expected in reversed(states[:-1]):
        h.undo()
        assert p.state() == expected
    h.undo_all()
    assert p.state() == start
    assert all(c.kind == ChangeKind.LAYERS for c in seen) and len(seen) == 2 + 5 + 5 + 2
    assert h.undo_label == "" and len(h) == 7


def test_opacity_drag_merges_into_one_undo_step() -> None:
    p = grid_project()
    h = History(p)
    layer = _layer()
    h.push(edit.add_reference_layer(p, layer))
    h.set_clean()
    for value in (0.9, 0.8, 0.5):
        cmd = edit.set_reference_style(p, layer.id, continuous=True, opacity=value)
        assert cmd is not None
        h.push(cmd)
    assert len(h) == 2 and p.reference_layers[layer.id].style.opacity == 0.5
    h.undo()
    assert p.reference_layers[layer.id].style.opacity == 1.0


def test_no_op_edits_give_no_command_and_bad_values_are_refused() -> None:
    p = grid_project()
    h = History(p)
    line = _layer("Roads", "line")
    h.push(edit.add_reference_layer(p, line))
    assert edit.set_reference_style(p, line.id, visible=True) is None
    assert edit.move_reference_layer(p, line.id, 5) is None
    assert edit.set_reference_property(p, line.id, "name", " Roads ") is None
    with pytest.raises(ValueError, match="#rrggbb"):
        edit.set_reference_style(p, line.id, colour="red")
    with pytest.raises(ValueError, match="between 0 and 1"):
        edit.set_reference_style(p, line.id, opacity=3)
    with pytest.raises(ValueError, match="unknown layer style property 'width'"):
        edit.set_reference_style(p, line.id, width=2)
    with pytest.raises(ValueError, match="only point layers can be counted"):
        edit.set_reference_property(p, line.id, "counted", True)
    with pytest.raises(ValueError, match="needs a name"):
        edit.set_reference_property(p, line.id, "name", "  ")
    with pytest.raises(ValueError, match="already has the layer"):
        edit.add_reference_layer(p, line)


def test_layers_hold_one_geometry_kind_in_the_stored_form() -> None:
    layer = ReferenceLayer("Areas", "polygon", [shapely.box(0, 0, 1, 1), shapely.Polygon(), None])
    assert [g.geom_type if g is not None else None for g in layer.geometry] == ["MultiPolygon", None, None]
    with pytest.raises(ValueError, match="a point layer cannot hold Polygon"):
        ReferenceLayer("Pts", "point", [shapely.box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="field 'n' has 2 rows, expected 1"):
        ReferenceLayer("Pts", "point", [shapely.Point(0, 0)], {"n": [1, 2]})
    with pytest.raises(ValueError, match="layer kind must be one of"):
        ReferenceLayer("X", "raster", [])
    ring = ReferenceLayer("Ring", "line", [shapely.LinearRing([(0, 0), (1, 0), (1, 1)])])
    assert ring.geometry[0].geom_type == "MultiLineString"

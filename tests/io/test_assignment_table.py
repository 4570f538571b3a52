"""The assignment table (block equivalency CSV): round trip, new territories, reported problems."""

from __future__ import annotations

import numpy as np
import pytest

from terradesk.edit import History, unassign_units
from terradesk.edit.units import assign_by_names
from terradesk.io.assignment_table import read_assignment_table, write_assignment_table
from terradesk.io.errors import FileMissingError, ImportSourceError
from tests.factories import grid_project


def apply(project, table):
    al = project.active_alignment
    history = History(project)
    cmd = assign_by_names(project, al.id, table.by_territory, table.unassign)
    if cmd is not None:
        history.push(cmd)
    return history


def test_round_trip_through_csv_recreates_the_plan(tmp_path):
    source = grid_project(6, 4, territories=3)
    al = source.active_alignment
    # leave one unit unassigned so blanks round-trip too
    History(source).push(unassign_units(source, al.id, [0]))
    path = tmp_path / "plan.csv"
    assert write_assignment_table(source, al.id, path) == 24
    assert path.read_text(encoding="utf-8").splitlines()[:2] == ["code,territory", "00000,"]

    target = grid_project(6, 4, territories=0)
    table = read_assignment_table(path, target, target.active_alignment.id)
    assert table.problems == 0 and table.new_territories == ["T1", "T2", "T3"] and table.rows == 24
    history = apply(target, table)
    assert len(history) == 1 and history.undo_label == "Assign 23 units from table (3 new territories)"
    tal = target.active_alignment
    names = lambda p, a: [a.territory(t).name if t else None for t in a.assignment_by_id()]  # noqa: E731
    assert names(target, tal) == names(source, al)
    history.undo()
    assert tal.territories == {} and (tal.assignment == -1).all()


def test_unknown_codes_conflicts_and_blank_codes_are_reported_not_skipped(tmp_path):
    project = grid_project(4, 1, territories=0)
    path = tmp_path / "table.csv"
    path.write_text(
        "\ufeffPLZ;Gebiet\n00000;Nord\n00001;Süd\n00001;Nord\n12345;Nord\n;Nord\n00002;Nord\n00002;Nord\n00003;\n",
        encoding="utf-8",
    )
    table = read_assignment_table(path, project, project.active_alignment.id)
    assert table.unknown_codes == [(5, "12345")]
    assert table.conflicts == {"00001": ["Nord", "Süd"]}
    assert table.blank_codes == [6] and table.duplicates == 1
    assert {k: v.tolist() for k, v in table.by_territory.items()} == {"Nord": [0, 2]}
    assert table.unassign.tolist() == [3]
    text = table.summary()
    assert "1 unknown unit code not applied: 12345" in text
    assert "00001 (Nord / Süd)" in text and "without a code (lines 6)" in text
    history = apply(project, table)
    al = project.active_alignment
    assert al.territory_by_name("Nord") is not None
    assert [al.territory_of_unit(i) is None for i in range(4)] == [False, True, False, True]
    assert len(history) == 1


def test_table_without_header_and_existing_territories(tmp_path):
    project = grid_project(6, 1, territories=2)  # T1 = 0..2, T2 = 3..5
    path = tmp_path / "t.csv"
    path.write_text("00000,T2\n00005,T1\n", encoding="utf-8")
    table = read_assignment_table(path, project, project.active_alignment.id)
    assert table.new_territories == [] and table.rows == 2
    apply(project, table)
    al = project.active_alignment
    assert al.territory(al.territory_of_unit(0)).name == "T2"
    assert al.territory(al.territory_of_unit(5)).name == "T1"


def test_bad_tables_give_clear_errors(tmp_path):
    project = grid_project(2, 1, territories=1)
    with pytest.raises(FileMissingError):
        read_assignment_table(tmp_path / "missing.csv", project)
    one = tmp_path / "one.csv"
    one.write_text("00000\n00001\n", encoding="utf-8")
    with pytest.raises(ImportSourceError, match="two columns"):
        read_assignment_table(one, project)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportSourceError, match="empty"):
        read_assignment_table(empty, project)
    named = tmp_path / "named.csv"
    named.write_text("code,territory\n00000,A\n", encoding="utf-8")
    with pytest.raises(ImportSourceError, match="no column 'zip'"):
        read_assignment_table(named, project, code_column="zip")


def test_non_ascii_territory_names_round_trip(tmp_path):
    project = grid_project(3, 1, territories=0)
    path = tmp_path / "jp.csv"
    path.write_text("code,territory\n00000,東京都\n00001,Île-de-France\n", encoding="utf-8")
    apply(project, read_assignment_table(path, project, project.active_alignment.id))
    out = tmp_path / "out.csv"
    write_assignment_table(project, project.active_alignment.id, out)
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ["00000,東京都", "00001,Île-de-France", "00002,"]
    assert np.array_equal(project.active_alignment.assignment[:2] >= 0, [True, True])

"""The workload formula: safe parsing with clear messages, vectorised evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from terradesk.analysis.formula import FormulaError, parse_formula

ENV = {"visits_per_year": np.array([10.0, 0.0, 4.0]), "accounts": np.array([5.0, 2.0, 0.0])}


def test_planner_formula_evaluates_per_territory() -> None:
    f = parse_formula("visits_per_year * 1.5 + accounts * 0.2")
    assert f.names == {"visits_per_year", "accounts"}
    np.testing.assert_allclose(f.evaluate(ENV), [16.0, 0.4, 6.0])


def test_functions_parentheses_and_division_by_zero() -> None:
    f = parse_formula("max(visits_per_year, accounts) / accounts + sqrt(4) - min(1, 2, -(3))")
    out = f.evaluate(ENV)
    assert out[0] == pytest.approx(10 / 5 + 2 + 3)
    assert out[1] == pytest.approx(2 / 2 + 2 + 3)
    assert np.isnan(out[2])  # division by zero is "unknown", not inf or an exception


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os')", "only min, max and sqrt may be called"),
        ("().__class__.__bases__", "is not allowed"),
        ("accounts ** 2", "operator Pow is not allowed"),
        ("open('/etc/passwd').read()", "may be called"),
        ("lambda: 1", "is not allowed"),
        ("accounts if accounts else 1", "is not allowed"),
        ("'text' + accounts", "only numbers are allowed"),
        ("accounts[0]", "is not allowed"),
        ("sqrt", "must be called"),
        ("max(accounts)", "two or more arguments"),
        ("sqrt(accounts, key=1)", "no keyword"),
        ("accounts *", "not valid"),
        ("", "empty"),
        ("x" * 600, "longer than"),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(FormulaError, match=None) as info:
        parse_formula(text)
    assert fragment in str(info.value)


def test_unknown_field_names_the_known_ones() -> None:
    with pytest.raises(FormulaError, match=r"unknown field 'visits' .*known: accounts, revenue"):
        parse_formula("visits * 2", known={"accounts", "revenue"})

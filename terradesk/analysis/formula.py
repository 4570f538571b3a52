"""Workload formulas a planner types (``visits_per_year * 1.5 + accounts * 0.2``).

Parsed with :mod:`ast` into a small whitelist (numbers, field names, ``+ - * /``,
unary minus, parentheses, ``min``/``max``/``sqrt``) and evaluated on numpy arrays, one
value per territory. Never ``eval``: anything else is refused with a message that names
the offending piece, so ``__import__('os')`` fails before anything runs.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Evaluator = Callable[[Mapping[str, FloatArray]], FloatArray]

_BINARY: dict[type[ast.operator], Callable[[FloatArray, FloatArray], FloatArray]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: lambda a, b: np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b != 0),
}
_FUNCTIONS = ("min", "max", "sqrt")
MAX_LENGTH = 500


class FormulaError(ValueError):
    """The formula text is not something we can compute; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, the field names it reads and a vectorised evaluator."""

    text: str
    names: frozenset[str]
    _fn: Evaluator

    def evaluate(self, values: Mapping[str, FloatArray]) -> FloatArray:
        missing = sorted(self.names - set(values))
        if missing:
            raise FormulaError(f"unknown field {missing[0]!r} in formula {self.text!r}")
        return np.asarray(self._fn(values), dtype=np.float64)


def parse_formula(text: str, known: set[str] | frozenset[str] | None = None) -> Formula:
    """Parse ``text``; with ``known``, names outside it are refused up front."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {text!r} is not valid: {exc.msg} at column {exc.offset}") from None
    names: set[str] = set()
    fn = _compile(tree.body, text, names)
    if known is not None:
        unknown = sorted(names - set(known))
        if unknown:
            options = ", ".join(sorted(known)) or "none"
            raise FormulaError(f"unknown field {unknown[0]!r} in formula {text!r} (known: {options})")
    return Formula(text.strip(), frozenset(names), fn)


def _compile(node: ast.AST, text: str, names: set[str]) -> Evaluator:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants in {text!r}, not {node.value!r}")
        value = float(node.value)
        return lambda env: np.asarray(value)
    if isinstance(node, ast.Name):
        if node.id in _FUNCTIONS:
            raise FormulaError(f"{node.id} must be called, e.g. {node.id}(a, b), in {text!r}")
        name = node.id
        names.add(name)
        return lambda env: np.asarray(env[name], dtype=np.float64)
    if isinstance(node, ast.BinOp):
        op = _BINARY.get(type(node.op))
        if op is None:
            raise FormulaError(f"operator {_describe(node.op)} is not allowed in {text!r} (use + - * /)")
        left, right = _compile(node.left, text, names), _compile(node.right, text, names)
        return lambda env: op(left(env), right(env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _compile(node.operand, text, names)
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        return lambda env: sign * inner(env)
    if isinstance(node, ast.Call):
        return _compile_call(node, text, names)
    raise FormulaError(f"{_describe(node)} is not allowed in formula {text!r}; "
                       "use numbers, field names, + - * /, parentheses, min, max, sqrt")


def _compile_call(node: ast.Call, text: str, names: set[str]) -> Evaluator:
    if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
        raise FormulaError(f"only min, max and sqrt may be called in formula {text!r}, not {ast.unparse(node.func)}")
    if node.keywords:
        raise FormulaError(f"{node.func.id}() takes no keyword arguments in {text!r}")
    args = [_compile(a, text, names) for a in node.args]
    fname = node.func.id
    if fname == "sqrt":
        if len(args) != 1:
            raise FormulaError(f"sqrt takes one argument in {text!r}")
        (arg,) = args
        return lambda env: np.sqrt(np.maximum(arg(env), 0.0))
    if len(args) < 2:
        raise FormulaError(f"{fname} takes two or more arguments in {text!r}")
    reduce = np.minimum if fname == "min" else np.maximum

    def call(env: Mapping[str, FloatArray]) -> FloatArray:
        out = args[0](env)
        for a in args[1:]:
            out = reduce(out, a(env))
        return out

    return call


def _describe(node: ast.AST) -> str:
    try:
        return repr(ast.unparse(node)) if not isinstance(node, ast.operator) else type(node).__name__
    except Exception:  # pragma: no cover - unparse of odd nodes
        return type(node).__name__

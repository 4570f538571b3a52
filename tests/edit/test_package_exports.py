"""``terradesk.edit`` is the one import for every command and factory."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import terradesk.edit as edit


def _public(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is not None:
        return set(names)
    return {
        n for n, obj in vars(module).items()
        if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module_name
    }


def test_every_factory_and_command_is_re_exported() -> None:
    missing = {}
    for info in pkgutil.iter_modules(edit.__path__):
        name = f"terradesk.edit.{info.name}"
        lacking = _public(name) - set(edit.__all__)
        if lacking:
            missing[name] = sorted(lacking)
    assert missing == {}


def test_new_factories_are_reachable_from_the_package() -> None:
    from terradesk.edit.shapes import draw_territory, merge_territories, split_territory
    from terradesk.edit.units import assign_by_names, replace_units

    assert edit.draw_territory is draw_territory and edit.split_territory is split_territory
    assert edit.merge_territories is merge_territories
    assert edit.replace_units is replace_units and edit.assign_by_names is assign_by_names

"""Every menu/toolbar action in one table: text, shortcut, tooltip, icon, slot.

Keeping them in data makes "every action has a shortcut and a tooltip naming it" a
property a test can check by iterating the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from terradesk.ui.window.icons import icon

SK = QKeySequence.StandardKey


@dataclass(frozen=True)
class Spec:
    key: str
    text: str
    shortcut: str | QKeySequence.StandardKey
    slot: str
    tip: str
    icon: str = ""
    checkable: bool = False


SPECS: tuple[Spec, ...] = (
    Spec("file.new", "&New Project", SK.New, "new_project", "Start an empty project", "new"),
    Spec("file.open", "&Open…", SK.Open, "open_dialog", "Open a TerraDesk project (.gpkg)", "open"),
    Spec("file.demo", "Open &Demo Project", "Ctrl+Alt+Shift+D", "open_demo_checked",
         "Open a generated example project to explore TerraDesk"),
    Spec("file.save", "&Save", SK.Save, "save", "Save the project", "save"),
    Spec("file.save_as", "Save &As…", "Ctrl+Shift+S", "save_as", "Save the project under a new name"),
    Spec("file.add_layer", "Add &Reference Layer…", "Ctrl+Shift+A", "add_reference_layer",
         "Add a vector file as a background layer", "layer"),
    Spec("file.export_image", "&Export Map Image…", "Ctrl+E", "export_image", "Save the map as PNG or SVG", "export"),
    Spec("file.clear_recent", "Clear Recent Files", "Ctrl+Alt+0", "clear_recent", "Forget the recent files list"),
    Spec("file.close", "&Close Project", SK.Close, "close_project", "Close the project"),
    Spec("file.quit", "&Quit", "Ctrl+Q", "close", "Quit TerraDesk"),
    Spec("edit.clear_selection", "Clear &Selection", "Esc", "clear_selection", "Select nothing"),
    Spec("edit.preferences", "&Preferences…", "Ctrl+,", "show_preferences",
         "Export image size, recovery copy interval and start-up options"),
    Spec("view.zoom_full", "Zoom to &Full Extent", "Ctrl+0", "zoom_full", "Show the whole project", "zoom_full"),
    Spec("view.zoom_in", "Zoom &In", SK.ZoomIn, "zoom_in", "Zoom in on the centre", "zoom_in"),
    Spec("view.zoom_out", "Zoom &Out", SK.ZoomOut, "zoom_out", "Zoom out from the centre", "zoom_out"),
    Spec("view.zoom_selection", "Zoom to &Selection", "Ctrl+J", "zoom_selection", "Fit the selection in the view"),
    Spec("view.zoom_layer", "Zoom to &Layer", "Ctrl+Shift+J", "zoom_layer", "Fit the layer chosen in Layers"),
    Spec("view.reset_layout", "&Reset Panel Layout", "Ctrl+Shift+R", "reset_layout", "Put every panel back"),
    Spec("view.full_screen", "F&ull Screen", SK.FullScreen, "toggle_full_screen", "Use the whole screen",
         checkable=True),
    Spec("territory.new", "&New Territory…", "Ctrl+T", "new_territory",
         "Create a territory (from the selected units, if any)", "territory"),
    Spec("territory.rename", "&Rename Territory…", "F2", "rename_territory", "Rename the selected territory"),
    Spec("territory.colour", "Set &Colour…", "Ctrl+Shift+C", "set_territory_colour",
         "Choose the selected territory's colour"),
    Spec("territory.delete", "&Delete Territory", "Ctrl+Del", "delete_territory",
         "Delete the selected territory (its units become unassigned)"),
    Spec("alignment.add", "&Add Alignment…", "Ctrl+Alt+N", "add_alignment", "Start a new, empty territory plan"),
    Spec("alignment.rename", "Re&name Alignment…", "Ctrl+Alt+R", "rename_alignment", "Rename the active plan"),
    Spec("alignment.duplicate", "D&uplicate Alignment…", "Ctrl+Alt+D", "duplicate_alignment",
         "Copy the active plan to try changes safely"),
    Spec("alignment.remove", "Re&move Alignment", "Ctrl+Alt+Del", "remove_alignment", "Remove the active plan"),
    Spec("alignment.next", "Ne&xt Alignment", "Ctrl+PgDown", "next_alignment", "Show the next plan"),
    Spec("alignment.previous", "&Previous Alignment", "Ctrl+PgUp", "previous_alignment", "Show the previous plan"),
    Spec("tools.pan", "&Pan", "P", "use_pan", "Drag to move the map", "pan", checkable=True),
    Spec("tools.zoom_box", "&Zoom Box", "Z", "use_zoom_box", "Drag a box to zoom into", "zoom_box", checkable=True),
    Spec("tools.select", "&Select", "S", "use_select", "Click or drag to select units, territories or accounts",
         "select", checkable=True),
    Spec("help.shortcuts", "&Keyboard Shortcuts", SK.HelpContents, "show_shortcuts", "List every shortcut"),
    Spec("help.about", "&About TerraDesk", "Shift+F1", "show_about", "Version and what TerraDesk is for"),
)

MENUS: dict[str, tuple[str, ...]] = {
    "&File": ("file.new", "file.open", "@recent", "file.demo", "-", "file.save", "file.save_as", "-", "file.add_layer",
              "file.export_image", "-", "file.close", "file.quit"),
    "&Edit": ("edit.undo", "edit.redo", "-", "edit.clear_selection", "-", "edit.preferences"),
    "&View": ("view.zoom_full", "view.zoom_in", "view.zoom_out", "view.zoom_selection", "view.zoom_layer", "-",
              "@docks", "view.reset_layout", "view.full_screen"),
    "&Territory": ("territory.new", "territory.rename", "territory.colour", "territory.delete", "-",
                   "@alignments", "alignment.add", "alignment.rename", "alignment.duplicate", "alignment.remove",
                   "alignment.next", "alignment.previous"),
    "T&ools": ("tools.pan", "tools.zoom_box", "tools.select"),
    "&Help": ("help.shortcuts", "help.about"),
}

TOOLBAR = ("file.new", "file.open", "file.save", "-", "edit.undo", "edit.redo", "-", "tools.pan", "tools.zoom_box",
           "tools.select", "-", "view.zoom_full", "view.zoom_in", "view.zoom_out", "-", "territory.new",
           "file.add_layer", "file.export_image")


#: Words kept lower case inside a menu title ("Zoom to Full Extent", "Take Area from Neighbours").
SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"})


def plain(text: str) -> str:
    return text.replace("&", "").replace("…", "")


def title_case(text: str) -> str:
    """Menu text in the house's title case: 'Select territories' -> 'Select Territories'."""
    words = text.split(" ")
    out = [w if i and w.lower() in SMALL_WORDS else (w[:1].upper() + w[1:] if w[:1] != "&" else w[:2].upper() + w[2:])
           for i, w in enumerate(words)]
    return " ".join(out)


def set_tooltip(action: QAction, name: str, tip: str = "") -> None:
    """Tooltip naming the action and its shortcut; the longer tip goes to the status bar."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{name} ({keys})" if keys else name)
    if tip:
        action.setStatusTip(tip)


def insert_in_group(menu: QMenu, anchor: QAction | None, action: QAction) -> None:
    """Insert ``action`` at the end of the group that ends before ``anchor`` (above its separator)."""
    acts = menu.actions()
    i = acts.index(anchor) if anchor in acts else len(acts)
    while i > 0 and acts[i - 1].isSeparator():
        i -= 1
    menu.insertAction(acts[i] if i < len(acts) else None, action)  # type: ignore[arg-type]


def build_actions(window: QMainWindow) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    tools = QActionGroup(window)
    tools.setExclusive(True)
    for spec in SPECS:
        action = QAction(spec.text, window)
        action.setObjectName(spec.key)
        action.setShortcut(QKeySequence(spec.shortcut))
        if spec.icon:
            action.setIcon(icon(spec.icon))
        action.setCheckable(spec.checkable)
        if spec.key.startswith("tools."):
            tools.addAction(action)
        set_tooltip(action, plain(spec.text), spec.tip)
        slot: Any = getattr(window, spec.slot)
        action.triggered.connect(lambda _checked=False, s=slot: s())
        window.addAction(action)
        actions[spec.key] = action
    return actions


def build_menus(window: QMainWindow, actions: dict[str, QAction], special: dict[str, QMenu | list[QAction]]) -> dict[str, QMenu]:
    """Menus from :data:`MENUS`; ``@name`` entries insert a submenu or a list of actions."""
    menus: dict[str, QMenu] = {}
    bar = window.menuBar()
    for title, keys in MENUS.items():
        menu = bar.addMenu(title)
        menus[plain(title)] = menu
        for key in keys:
            if key == "-":
                menu.addSeparator()
            elif key.startswith("@"):
                extra = special[key[1:]]
                if isinstance(extra, QMenu):
                    menu.addMenu(extra)
                else:
                    for a in extra:
                        menu.addAction(a)
                    menu.addSeparator()
            else:
                menu.addAction(actions[key])
    return menus


def build_toolbar(window: QMainWindow, actions: dict[str, QAction]) -> QToolBar:
    bar = window.addToolBar("Main toolbar")
    bar.setObjectName("mainToolbar")
    bar.setMovable(True)
    for key in TOOLBAR:
        if key == "-":
            bar.addSeparator()
        else:
            bar.addAction(actions[key])
    return bar

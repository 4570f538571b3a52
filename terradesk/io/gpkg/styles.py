"""QGIS styles in the ``layer_styles`` table, so the file opens in QGIS with our colours.

QGIS (and GDAL's GPKG driver) look for a ``layer_styles`` table with this exact schema
and load the row with ``useAsDefault`` set for a layer. QML is built with ElementTree, so
territory names with ``<&"`` are escaped correctly.
"""

from __future__ import annotations

import datetime as _dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from terradesk.io.gpkg.schema import GEOMETRY_COLUMN, quote_ident

TABLE = "layer_styles"

DDL = f"""CREATE TABLE {quote_ident(TABLE)} (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256), "f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT,
  "styleSLD" TEXT, "useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""

COLUMNS = [
    "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
    "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
]


def _rgba(colour: str, alpha: int = 255) -> str:
    c = colour.lstrip("#")
    return f"{int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{alpha}"


def _options(parent: ET.Element, props: dict[str, str]) -> None:
    """Symbol layer properties, in both the 3.16+ Option map and the older prop form."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=v)
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=v)


def _fill_symbol(parent: ET.Element, name: str, colour: str, alpha: int = 255, outline: str = "#232323") -> None:
    sym = ET.SubElement(parent, "symbol", type="fill", name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(sym, "layer", attrib={"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, {
        "color": _rgba(colour, alpha), "outline_color": _rgba(outline), "outline_style": "solid",
        "outline_width": "0.26", "outline_width_unit": "MM", "style": "solid", "joinstyle": "bevel",
    })


def _marker_symbol(parent: ET.Element, name: str, colour: str, shape: str, size: str) -> None:
    sym = ET.SubElement(parent, "symbol", type="marker", name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(sym, "layer", attrib={"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, {
        "color": _rgba(colour), "name": shape, "size": size, "size_unit": "MM",
        "outline_color": "35,35,35,255", "outline_width": "0.2", "outline_style": "solid",
    })


def _document(renderer: ET.Element) -> str:
    root = ET.Element("qgis", version="3.22.0", styleCategories="Symbology")
    root.append(renderer)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def single_symbol_qml(kind: str, colour: str) -> str:
    """A single-symbol renderer: units in light grey, accounts and owners as markers."""
    renderer = ET.Element("renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0", forceraster="0")
    symbols = ET.SubElement(renderer, "symbols")
    if kind == "fill":
        _fill_symbol(symbols, "0", colour, alpha=96, outline="#9a9a9a")
    elif kind == "owner":
        _marker_symbol(symbols, "0", colour, "star", "4")
    else:
        _marker_symbol(symbols, "0", colour, "circle", "1.4")
    return _document(renderer)


def categorised_qml(attribute: str, categories: Sequence[tuple[str, str, str]]) -> str:
    """A categorizedSymbol renderer keyed on ``attribute``: (value, label, colour) per category."""
    renderer = ET.Element(
        "renderer-v2", type="categorizedSymbol", attr=attribute, symbollevels="0", enableorderby="0", forceraster="0"
    )
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, label, colour) in enumerate(categories):
        ET.SubElement(cats, "category", render="true", symbol=str(i), value=value, label=label, type="string")
        _fill_symbol(symbols, str(i), colour, alpha=200)
    return _document(renderer)


def style_rows(territories: Sequence[tuple[str, str, str]]) -> list[tuple[object, ...]]:
    """One default style per geometry layer (values for :data:`COLUMNS`)."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    qml = {
        "units": single_symbol_qml("fill", "#d9d9d9"),
        "territories": categorised_qml("uuid", territories),
        "accounts": single_symbol_qml("marker", "#1f4e79"),
        "owners": single_symbol_qml("owner", "#c00000"),
    }
    return [
        ("", "", table, GEOMETRY_COLUMN, f"TerraDesk {table}", text, "", True, "Written by TerraDesk", "", None, now)
        for table, text in qml.items()
    ]

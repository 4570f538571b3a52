"""Parse XML from a file someone sent us (QGIS styles in ``layer_styles``) without its traps.

ElementTree's expat expands internal entities (the "billion laughs" bomb) and reports
external ones. Like defusedxml, we refuse any entity declaration and any external
reference before expat expands or fetches anything; a plain DOCTYPE line (QGIS writes
``<!DOCTYPE qgis PUBLIC ...>``) is fine. Nothing is ever fetched from the network.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NoReturn
from xml.parsers import expat

from terradesk.io.errors import TerraDeskError

MAX_XML_BYTES = 20_000_000


class UnsafeXMLError(TerraDeskError):
    """The XML declares entities or refers to external resources, or is too large."""


def _forbid(*_args: object) -> NoReturn:
    raise UnsafeXMLError("the style XML declares entities or external references, which TerraDesk does not read")


def parse_xml(text: str | bytes, max_bytes: int = MAX_XML_BYTES) -> ET.Element:
    """The root element; UnsafeXMLError for entity declarations, external references or size."""
    if len(text) > max_bytes:
        raise UnsafeXMLError(f"the style XML is larger than {max_bytes:,} bytes")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
        return builder.close()
    except (expat.ExpatError, AssertionError) as exc:
        raise UnsafeXMLError(f"the style XML is not well-formed ({exc})") from exc

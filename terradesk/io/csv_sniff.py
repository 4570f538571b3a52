"""Guessing what a planner's CSV looks like: encoding, delimiter, decimal mark, columns.

Spreadsheets export CSV in many dialects: Excel on a German or French desktop writes
cp1252 with semicolons and decimal commas, Excel's "CSV UTF-8" puts a BOM in front, CRMs
write plain UTF-8 with commas. Every guess here can be overridden in ``CsvOptions``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

import numpy as np

DELIMITERS = ",;\t|"
LAT_NAMES = ("lat", "latitude", "breite", "breitengrad", "y", "lat_wgs84", "gps_lat", "ycoord", "y_coord")
LON_NAMES = ("lon", "lng", "long", "longitude", "laenge", "länge", "längengrad", "x", "lon_wgs84", "gps_lon", "xcoord", "x_coord")
ID_NAMES = ("id", "account_id", "accountid", "account", "customer_id", "customer_no", "account_no", "kundennummer", "nr")
NAME_NAMES = ("name", "account_name", "company", "customer", "customer_name", "firma", "nom")
POSTAL_NAMES = ("postal_code", "postcode", "post_code", "postalcode", "zip", "zipcode", "zip_code", "plz", "cp",
                "code_postal", "postal")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")


def detect_encoding(raw: bytes) -> str:
    """``utf-8-sig`` for a BOM, ``utf-8`` if it decodes, else ``cp1252`` (Windows), else ``latin-1``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a sample cut in the middle of a multi-byte character is still UTF-8
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(sample: str) -> str:
    """csv.Sniffer on the first lines; falls back to the most frequent candidate in the header."""
    lines = sample.splitlines()
    head = "\n".join(lines[:50])
    try:
        found = csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
        if found in DELIMITERS:
            return found
    except csv.Error:
        pass
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def find_column(headers: Sequence[str], candidates: Sequence[str]) -> str | None:
    """The first header whose normalised name is a candidate (candidates in priority order)."""
    normal = {_norm(h): h for h in reversed(headers)}
    for c in candidates:
        if c in normal:
            return normal[c]
    return None


def detect_lat_lon(headers: Sequence[str]) -> tuple[str | None, str | None]:
    lat, lon = find_column(headers, LAT_NAMES), find_column(headers, LON_NAMES)
    if lat is None or lon is None or lat == lon:
        return None, None
    return lat, lon


def uses_decimal_comma(values: Sequence[str]) -> bool:
    """True when numbers in the sample are written ``12,5`` rather than ``12.5``."""
    comma = point = 0
    for v in values:
        v = v.strip()
        if _DECIMAL_COMMA.match(v):
            comma += 1
        elif _DECIMAL_POINT.match(v):
            point += 1
    return comma > point


def parse_number(text: str, decimal_comma: bool) -> float | None:
    """A float, NaN for empty cells, None when the text is not a number."""
    t = text.strip()
    if not t:
        return float("nan")
    if decimal_comma:
        t = t.replace(".", "").replace(" ", "").replace(",", ".") if "," in t else t.replace(" ", "")
    try:
        return float(t)
    except ValueError:
        return None


def parse_numbers(values: Sequence[str], decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`parse_number`: floats (NaN for empty cells) and a mask of non-numbers."""
    arr = np.asarray(values, dtype=str) if len(values) else np.empty(0, dtype=str)
    out = np.full(len(arr), np.nan)
    bad = np.zeros(len(arr), dtype=bool)
    full = arr != ""
    cells = arr[full]
    if decimal_comma and len(cells):
        has_comma = np.char.find(cells, ",") >= 0
        if has_comma.any():
            fixed = np.char.replace(np.char.replace(cells[has_comma], ".", ""), ",", ".")
            cells = cells.astype(f"<U{max(cells.dtype.itemsize // 4, 1)}")
            cells[has_comma] = fixed
    try:
        out[full] = cells.astype(np.float64)
    except ValueError:
        parsed = [parse_number(v, decimal_comma) for v in arr[full].tolist()]
        out[full] = [np.nan if p is None else p for p in parsed]
        bad[full] = [p is None for p in parsed]
    return out, bad

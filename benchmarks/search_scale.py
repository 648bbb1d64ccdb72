"""Search and analysis at scale: 1,000,000 generated segments on one machine.

Generates a case of short synthetic Russian segments (with English
"translations", a caller, a receiver and a day per call, flags on the
segments that speak of orders or casualties) straight into the store, then
reports:

- analysis throughput (segments per second) over a sample, single process;
- build time, the first search's work (sound keys, the derived tantivy index)
  and the sizes of the database and of the index;
- search latency p50 / p95 of every query shape (``QUERIES``: words, phrases,
  English, facets, date, number and flag filters, combined), through the same
  ``callsift.search.search`` the CLI and the web app use.

``build`` and ``measure_search`` are also what ``benchmarks/scale.py`` calls.
Run: ``.venv/bin/python benchmarks/search_scale.py --segments 1000000``
(about 10 minutes on two cores; ``--case DIR`` keeps the case, and
``--case DIR --again`` times its searches once more without building). The
text is synthetic and fictional.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from callsift.analyze.flags import load_watchlists
from callsift.analyze.morph import lemma_text
from callsift.analyze.run import analyze_segment
from callsift.records import SearchFilters, Segment
from callsift.search import search
from callsift.search.approximate import forget_kept
from callsift.search.sounds import KEY_VERSION, index_text
from callsift.store import CaseStore
from callsift.store.search_index import current_index
from callsift.store.sounds import refresh_sounds

PLACES = ["Буче", "Ирпене", "Изюме", "Киеве", "Херсоне", "Гостомеле", "Харькове", "Мариуполе"]
UNITS = ["331-й полк", "второй батальон", "234-й полк", "рота", "БТГ", "ВДВ"]
VERBS = ["приказали", "сказали", "решили", "хотели", "обещали", "запретили"]
ACTIONS = ["стрелять", "наступать", "отходить", "ждать", "копать", "ехать"]
FILLER = [
    "мама",
    "привет",
    "как дела",
    "всё хорошо",
    "не переживай",
    "денег нет",
    "холодно",
    "кормят плохо",
    "скоро домой",
    "связь плохая",
    "позвони отцу",
    "люблю тебя",
]
EN = ["we were ordered to shoot", "mom, all is well", "we are in", "the regiment lost", "call dad"]


def sentence(rng: random.Random) -> tuple[str, str, list[str]]:
    """A segment's words, its "English", and the watchlist topics it raises."""
    parts, topics = [rng.choice(FILLER)], []
    if rng.random() < 0.5:
        parts.append(f"мы в {rng.choice(PLACES)}")
    if rng.random() < 0.3:
        parts.append(f"{rng.choice(UNITS)} {rng.choice(VERBS)} {rng.choice(ACTIONS)}")
        topics.append("orders")
    if rng.random() < 0.1:
        parts.append(f"у нас {rng.randint(2, 40)} убитых")
        topics.append("casualties")
    return ", ".join(parts).capitalize() + ".", rng.choice(EN) + ".", topics


def _number(rng: random.Random) -> str:
    return f"+7903{rng.randint(0, 9999999):07d}"


def build(store: CaseStore, segments: int, per_call: int, rng: random.Random) -> float:
    """Write ``segments`` generated segments, ``per_call`` a call, straight into ``store``.

    Each call has a caller and a receiver (in its metadata, as number
    normalisation stores them in ``call_numbers``) and a day in 2022; segments
    that speak of orders or casualties raise those flags. Returns the seconds taken.
    """
    started = time.perf_counter()
    conn = store.conn
    calls = segments // per_call
    first = conn.execute("SELECT coalesce(max(id), 0) FROM calls").fetchone()[0] + 1
    with store.transaction():
        for call in range(first, first + calls):
            caller, receiver = _number(rng), _number(rng)
            day = datetime.date(2022, 3, 1) + datetime.timedelta(days=rng.randrange(300))
            meta = json.dumps(
                {"caller": caller, "receiver": receiver, "started_at": f"{day}T12:00:00+03:00"}
            )
            conn.execute(
                "INSERT INTO calls (id, sha256, file, size, ingested_at, status, metadata)"
                " VALUES (?, ?, ?, 0, '', 'done', ?)",
                (call, f"{call:064x}", f"call_{call}.wav", meta),
            )
            conn.executemany(
                "INSERT INTO call_numbers (call_id, role, raw, e164, valid, country)"
                " VALUES (?, ?, ?, ?, 1, 'RU')",
                [(call, "caller", caller, caller), (call, "receiver", receiver, receiver)],
            )
            flags = []
            for index in range(per_call):
                text, english, topics = sentence(rng)
                segment = conn.execute(
                    'INSERT INTO segments (call_id, channel, start, "end", language, text, lemmas,'
                    " translation, words) VALUES (?, ?, ?, ?, 'ru', ?, ?, ?, '[]')",
                    (
                        call,
                        index % 2,
                        index * 3.0,
                        index * 3.0 + 2.5,
                        text,
                        lemma_text(text, "ru"),
                        english,
                    ),
                ).lastrowid
                flags += [(call, segment, index % 2, index * 3.0, t, t, text) for t in topics]
            conn.executemany(
                "INSERT INTO flags (call_id, segment_id, channel, start, topic, term, text,"
                " start_char, end_char) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1)",
                flags,
            )
    return time.perf_counter() - started


QUERIES: list[tuple[str, str, SearchFilters, bool]] = [
    ("`Мариуполь` (a place in 6% of segments)", "Мариуполь", SearchFilters(), False),
    ("`мама`", "мама", SearchFilters(), False),
    ("`Буча` in every form", "Буча", SearchFilters(), False),
    ('`"приказали стрелять"`', '"приказали стрелять"', SearchFilters(), False),
    ("`ordered to shoot` in the English", "ordered to shoot", SearchFilters(lang="en"), False),
    ("`мама` with facets (the web page)", "мама", SearchFilters(), True),
    (
        "`Херсон` + date range (3 days)",
        "Херсон",
        SearchFilters(date_from="2022-03-10", date_to="2022-03-12"),
        False,
    ),
    ("`полк` + digits of a number", "полк", SearchFilters(number="7903123"), False),
    ("`полк` + whole number (E.164)", "полк", SearchFilters(number="{number}"), False),
    ("`полк` + flag `orders`", "полк", SearchFilters(flag="orders"), False),
    (
        "`убитых` + flag + month + number digits",
        "убитых",
        SearchFilters(
            flag="casualties", date_from="2022-05-01", date_to="2022-05-31", number="7903"
        ),
        False,
    ),
    ("a number alone (its calls, no words)", "", SearchFilters(number="{number}"), False),
]
"""Label, words, filters, facets: every query shape of the README's table."""


def prepare(store: CaseStore) -> dict[str, float]:
    """What the first search after a build does, timed: sound keys, then the derived index.

    Also compacts both, as a case that has settled would be, and reports sizes (MB).
    """
    started = time.perf_counter()
    refresh_sounds(store, index_text, KEY_VERSION)
    sounds_s = time.perf_counter() - started
    started = time.perf_counter()
    current_index(store)
    index_s = time.perf_counter() - started
    store.conn.execute("INSERT INTO segments_fts(segments_fts) VALUES ('optimize')")
    store.conn.execute("INSERT INTO sounds_fts(sounds_fts) VALUES ('optimize')")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    index_mb = sum(f.stat().st_size for f in (store.derived / "search").rglob("*") if f.is_file())
    return {
        "sounds_s": sounds_s,
        "index_s": index_s,
        "db_mb": (store.root / "case.db").stat().st_size / 1e6,
        "index_mb": index_mb / 1e6,
    }


def measure_search(
    store: CaseStore, repeat: int = 20, exact: bool = False, first: bool = False
) -> list[dict[str, Any]]:
    """p50 and p95 (ms) of each query of ``QUERIES`` on ``store``, ten hits a page.

    Each round runs every query once (a first, untimed round warms caches), so
    load from other processes falls on all queries alike. With ``first``, what
    search keeps in memory (sound keys, checks, the approximate pass's
    candidates) is dropped before each query: its first run in a process.
    Rows: ``query`` (label), ``matches`` (total, approximate hits included),
    ``approximate``, ``p50_ms``, ``p95_ms``.
    """
    caller = store.conn.execute("SELECT e164 FROM call_numbers ORDER BY call_id LIMIT 1")
    number = (caller.fetchone() or ["+79030000000"])[0]
    shapes = [
        (
            label,
            words,
            replace(f, exact=exact, number=f.number and f.number.format(number=number)),
            facets,
        )
        for label, words, f, facets in QUERIES
    ]
    timings: list[list[float]] = [[] for _ in shapes]
    results = []
    for round_ in range(repeat + 1):
        results = []
        for times, (_, words, filters, facets) in zip(timings, shapes, strict=True):
            if first:
                forget_kept()
            started = time.perf_counter()
            results.append(search(store, words, filters, limit=10, facets=facets))
            if round_:
                times.append((time.perf_counter() - started) * 1000)
    return [
        {
            "query": label,
            "matches": result.total,
            "approximate": result.approximate,
            "p50_ms": statistics.median(times),
            "p95_ms": statistics.quantiles(times, n=20)[-1],
        }
        for (label, *_), result, times in zip(shapes, results, timings, strict=True)
    ]


def _latency_table(store: CaseStore, repeat: int, exact: bool) -> None:
    """The README's table: each shape again and again, then each as a process's first run."""
    print(
        "| query (top 10, BM25, with total count) | matches | approx."
        " | p50 ms | p95 ms | first run p50 / p95 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    again = measure_search(store, repeat, exact)
    first = measure_search(store, repeat, exact, first=True)
    for row, cold in zip(again, first, strict=True):
        print(
            f"| {row['query']} | {row['matches']:,} | {row['approximate']:,}"
            f" | {row['p50_ms']:.1f} | {row['p95_ms']:.1f}"
            f" | {cold['p50_ms']:.1f} / {cold['p95_ms']:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--per-call", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--exact", action="store_true", help="exact words only: no approximate pass (as before #11)"
    )
    parser.add_argument("--case", type=Path, help="build into this folder and keep it")
    parser.add_argument(
        "--again", action="store_true", help="only time the searches of the case built at --case"
    )
    args = parser.parse_args()
    if args.again:
        if args.case is None:
            parser.error("--again needs --case")
        with CaseStore(args.case) as store:
            _latency_table(store, args.repeat, args.exact)
        return
    rng = random.Random(1)

    watchlists = load_watchlists()
    sample = [Segment(0, 0.0, 2.5, sentence(rng)[0], "ru") for _ in range(2000)]
    analyze_segment(sample[0], watchlists)  # load the models outside the timing
    started = time.perf_counter()
    for segment in sample:
        analyze_segment(segment, watchlists)
    analysis_rate = len(sample) / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as tmp, CaseStore(args.case or Path(tmp) / "case") as store:
        build_s = build(store, args.segments, args.per_call, rng)
        ready = prepare(store)
        print(f"segments: {args.segments:,}  build (SQLite, FTS5): {build_s:.0f} s")
        print(
            f"sound keys: {ready['sounds_s']:.0f} s  derived index: {ready['index_s']:.0f} s"
            f"  db: {ready['db_mb']:.0f} MB  index: {ready['index_mb']:.0f} MB"
        )
        print(f"analysis: {analysis_rate:.0f} segments/s (one process)")
        _latency_table(store, args.repeat, args.exact)


if __name__ == "__main__":
    main()

"""Search and analysis at scale: 1,000,000 generated segments on one machine.

Generates a case of short synthetic Russian and Ukrainian segments (with
English "translations") straight into the store, then reports:

- analysis throughput (segments per second) over a sample, single process;
- index build time and database size;
- search latency p50 / p95 over a mix of rare, common, phrase, English and
  filtered queries, through the same ``callsift.search.search`` the CLI uses.

Run: ``.venv/bin/python benchmarks/search_scale.py --segments 1000000``
(about 15 minutes on two cores). The text is synthetic and fictional.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from callsift.analyze.flags import load_watchlists
from callsift.analyze.morph import lemma_text
from callsift.analyze.run import analyze_segment
from callsift.records import SearchFilters, Segment
from callsift.search import search
from callsift.search.sounds import KEY_VERSION, index_text
from callsift.store import CaseStore
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


def sentence(rng: random.Random) -> tuple[str, str]:
    parts = [rng.choice(FILLER)]
    if rng.random() < 0.5:
        parts.append(f"мы в {rng.choice(PLACES)}")
    if rng.random() < 0.3:
        parts.append(f"{rng.choice(UNITS)} {rng.choice(VERBS)} {rng.choice(ACTIONS)}")
    if rng.random() < 0.1:
        parts.append(f"у нас {rng.randint(2, 40)} убитых")
    return ", ".join(parts).capitalize() + ".", rng.choice(EN) + "."


def build(store: CaseStore, segments: int, per_call: int, rng: random.Random) -> float:
    started = time.perf_counter()
    conn = store.conn
    calls = segments // per_call
    with store.transaction():
        for call in range(calls):
            meta = json.dumps(
                {
                    "caller": f"+7903{rng.randint(0, 9999999):07d}",
                    "started_at": f"2022-03-{rng.randint(1, 31):02d}T12:00:00+03:00",
                }
            )
            conn.execute(
                "INSERT INTO calls (id, sha256, file, size, ingested_at, status, metadata)"
                " VALUES (?, ?, ?, 0, '', 'done', ?)",
                (call + 1, f"{call:064x}", f"call_{call}.wav", meta),
            )
            rows = []
            for index in range(per_call):
                text, english = sentence(rng)
                rows.append(
                    (
                        call + 1,
                        index % 2,
                        index * 3.0,
                        index * 3.0 + 2.5,
                        "ru",
                        text,
                        lemma_text(text, "ru"),
                        english,
                    )
                )
            conn.executemany(
                'INSERT INTO segments (call_id, channel, start, "end", language, text, lemmas,'
                " translation, words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]')",
                rows,
            )
    return time.perf_counter() - started


QUERIES = [
    ("rare word", "Мариуполь", SearchFilters()),
    ("common word", "мама", SearchFilters()),
    ("inflected place", "Буча", SearchFilters()),
    ("phrase", '"приказали стрелять"', SearchFilters()),
    ("english", "ordered to shoot", SearchFilters(lang="en")),
    ("filtered by date", "Херсон", SearchFilters(date_from="2022-03-10", date_to="2022-03-12")),
    ("filtered by number", "полк", SearchFilters(number="7903123")),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--per-call", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--exact", action="store_true", help="exact words only: no approximate pass (as before #11)"
    )
    args = parser.parse_args()
    rng = random.Random(1)

    watchlists = load_watchlists()
    sample = [Segment(0, 0.0, 2.5, sentence(rng)[0], "ru") for _ in range(2000)]
    analyze_segment(sample[0], watchlists)  # load the models outside the timing
    started = time.perf_counter()
    for segment in sample:
        analyze_segment(segment, watchlists)
    analysis_rate = len(sample) / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as tmp, CaseStore(Path(tmp) / "case") as store:
        build_s = build(store, args.segments, args.per_call, rng)
        started = time.perf_counter()
        refresh_sounds(store, index_text, KEY_VERSION)  # what the first search would do
        sounds_s = time.perf_counter() - started
        store.conn.execute("INSERT INTO segments_fts(segments_fts) VALUES ('optimize')")
        store.conn.execute("INSERT INTO sounds_fts(sounds_fts) VALUES ('optimize')")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size_mb = (Path(tmp) / "case" / "case.db").stat().st_size / 1e6
        print(f"segments: {args.segments:,}  build+index: {build_s:.0f} s  db: {size_mb:.0f} MB")
        print(f"sound index (first search after a migration): {sounds_s:.0f} s")
        print(f"analysis: {analysis_rate:.0f} segments/s (one process)")
        print(f"{'query':22} {'hits':>8} {'approx':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, query, filters in QUERIES:
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = search(store, query, replace(filters, exact=args.exact), limit=10)
                timings.append((time.perf_counter() - started) * 1000)
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(
                f"{name:22} {result.total:>8} {result.approximate:>8}"
                f" {statistics.median(timings):>8.1f} {p95:>8.1f}"
            )


if __name__ == "__main__":
    main()

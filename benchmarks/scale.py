"""A case that stays fast: 100,000 calls and 1,000,000 segments, measured end to end.

Builds (or reuses, ``--case DIR``) a synthetic case: the segments of
``search_scale.build``, then what a processed archive holds beside them:
E.164 callers and receivers among a few thousand numbers in groups that call
each other (stored as ``number_case`` stores them), dates over sixteen months,
channels with languages (some unreliable, some silent), failed files,
watchlist flags, places with coordinates, units and spoken dates, findings and
verification statuses. Then it prints one table: p50 / p95 of the review web
app's pages through the real app (signed in, every view logged as it is for a
reader), search latencies (``search_scale.measure_search``), and ingest files
per second (``ingest_scale.measure_ingest``) when those modules offer them.

Run: ``.venv/bin/python benchmarks/scale.py`` (full size; building takes
minutes), or ``--calls 10000 --segments 100000`` for a quick look; ``--case
DIR`` keeps the built case in DIR and reuses it on the next run.
The names, numbers and words are synthetic and fictional.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import search_scale
from fastapi.testclient import TestClient

from callsift.graph.numbers import normalize_number
from callsift.store import CaseStore
from callsift.store.phones import save_call_numbers
from callsift.store.team import TeamStore
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app

PASSWORD = "a long benchmark password"
# (normal form, English, lat, lon) of the places search_scale's sentences name.
PLACES = [
    ("Буча", "Bucha", 50.543, 30.212),
    ("Ирпень", "Irpin", 50.521, 30.250),
    ("Изюм", "Izium", 49.212, 37.256),
    ("Киев", "Kyiv", 50.450, 30.524),
    ("Херсон", "Kherson", 46.636, 32.617),
    ("Гостомель", "Hostomel", 50.569, 30.265),
    ("Харьков", "Kharkiv", 49.994, 36.231),
    ("Мариуполь", "Mariupol", 47.097, 37.543),
]
UNITS = ["331-й полк", "234-й полк", "второй батальон", "ВДВ"]
TOPICS = ["casualties", "orders", "weapons", "locations"]
DAYS = 480  # 2022-02-24 plus up to 16 months


def _numbers(rng: random.Random, count: int) -> list[str]:
    """Distinct mobile numbers as intercept logs write them (Russian and Ukrainian)."""
    seen: set[str] = set()
    while len(seen) < count:
        if rng.random() < 0.7:
            seen.add(f"+7 9{rng.randint(0, 99):02d} {rng.randint(0, 9999999):07d}")
        else:
            seen.add(
                f"+380 {rng.choice([50, 63, 66, 67, 68, 73, 93, 95, 96, 97, 98, 99])}"
                f" {rng.randint(0, 9999999):07d}"
            )
    return sorted(seen)


def enrich(store: CaseStore, rng: random.Random, numbers: int = 3000) -> float:
    """Give every call of a built case numbers, a date, channels and the analysis results."""
    started = time.perf_counter()
    conn = store.conn
    pool = _numbers(rng, numbers)
    parsed = {raw: normalize_number(raw) for raw in pool}
    groups = [pool[i : i + 50] for i in range(0, len(pool), 50)]
    weights = [1.0 / (rank + 1) ** 0.6 for rank in range(50)]  # a few busy numbers per group
    first = date(2022, 2, 24)
    calls = [row[0] for row in conn.execute("SELECT id FROM calls ORDER BY id")]
    segment_of = dict(
        conn.execute("SELECT call_id, min(id) FROM segments GROUP BY call_id").fetchall()
    )
    key = json.dumps({"callsift": "scale", "revision": 0, "watchlists": None})
    with store.transaction():
        numbered: dict[int, dict[str, Any]] = {}
        for call_id in calls:
            group = rng.choice(groups)
            caller = rng.choices(group, weights)[0]
            other = group if rng.random() < 0.85 else rng.choice(groups)
            receiver = rng.choices(other, weights)[0]
            day = first + timedelta(days=int(rng.triangular(0, DAYS, 60)))
            meta = {
                "caller": caller,
                "receiver": receiver,
                "started_at": f"{day.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
                ":00+03:00",
                "duration_s": rng.randint(20, 600),
            }
            failed = rng.random() < 0.01
            conn.execute(
                "UPDATE calls SET metadata = ?, status = ?, reason = ?, duration_s = ?,"
                " analyzed_with = ?, words = ?, low_words = ?, certainty = ? WHERE id = ?",
                (
                    json.dumps(meta),
                    "failed" if failed else "done",
                    "could not be decoded: invalid data found" if failed else None,
                    None if failed else float(meta["duration_s"]),
                    None if failed else key,
                    80,
                    rng.randint(0, 20),
                    round(rng.random(), 3),
                    call_id,
                ),
            )
            numbered[call_id] = {"caller": parsed[caller], "receiver": parsed[receiver]}
            if failed:
                continue
            _channels(conn, rng, call_id)
            _findings(conn, rng, call_id, segment_of.get(call_id), day)
    save_call_numbers(store, numbered)
    conn.execute("ANALYZE")
    return time.perf_counter() - started


def _channels(conn: Any, rng: random.Random, call_id: int) -> None:
    silent = rng.random() < 0.02
    unreliable = rng.random() < 0.03
    for channel in (0, 1):
        language = rng.choice(["ru", "ru", "uk"]) if not unreliable else "nn"
        conn.execute(
            "INSERT OR REPLACE INTO channels (call_id, channel, language, language_probability,"
            " speech_s, words, whisper_language) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                call_id,
                channel,
                language,
                0.3 if unreliable else 0.9,
                0.5 if silent else 30.0,
                0 if silent else 40,
                language,
            ),
        )


def _findings(conn: Any, rng: random.Random, call_id: int, segment: int | None, day: Any) -> None:
    """Flags, places, units, dates, findings and statuses, on the call's first segment."""
    if segment is None:
        return
    if rng.random() < 0.15:
        conn.execute(
            "INSERT INTO flags (call_id, segment_id, channel, start, topic, term, text,"
            " start_char, end_char, confidence) VALUES (?, ?, 0, 0, ?, 'убитых', 'убитых',"
            " 0, 6, 0.9)",
            (call_id, segment, rng.choice(TOPICS)),
        )
    mentions = []
    if rng.random() < 0.4:
        normal, english, lat, lon = rng.choice(PLACES)
        attrs = json.dumps({"english": english, "lat": lat, "lon": lon})
        mentions.append(("LOC", normal, attrs))
    if rng.random() < 0.2:
        mentions.append(("unit", rng.choice(UNITS), None))
    if rng.random() < 0.05:
        mentions.append(("date", (day.replace(day=max(1, day.day - 2))).isoformat(), None))
    for kind, normal, attrs in mentions:
        conn.execute(
            "INSERT INTO mentions (call_id, segment_id, channel, start, type, text, normal,"
            " start_char, end_char, attrs, confidence) VALUES (?, ?, 0, 0, ?, ?, ?, 0, 4, ?, 0.9)",
            (call_id, segment, kind, normal, normal, attrs),
        )
    if rng.random() < 0.02:
        conn.execute(
            "INSERT INTO findings (call_id, kind, severity, message, detail, found_at,"
            " checked_with) VALUES (?, 'same-voice', 'info', 'sounds like another call''s',"
            " '{}', '2023-01-01T00:00:00Z', 'scale')",
            (call_id,),
        )
    if rng.random() < 0.05:
        conn.execute(
            "INSERT INTO verification (call_id, status, reviewer, note, version, updated_at)"
            " VALUES (?, ?, 'ana', '', 1, '2023-01-01T00:00:00Z')",
            (call_id, rng.choice(["verified", "disputed", "rejected"])),
        )


def build_case(folder: Path, calls: int, segments: int, seed: int) -> None:
    rng = random.Random(seed)
    with CaseStore(folder) as store:
        if store.conn.execute("SELECT count(*) FROM calls").fetchone()[0]:
            print(f"reusing the case in {folder}")
            return
        started = time.perf_counter()
        search_scale.build(store, segments, max(1, segments // calls), rng)
        built = time.perf_counter() - started
        enriched = enrich(store, rng)
        print(f"built {calls:,} calls, {segments:,} segments: {built:.0f} s + {enriched:.0f} s")


def _client(folder: Path, team: Path) -> tuple[TestClient, str]:
    with CaseStore(folder) as store:
        uuid = store.uuid
    with TeamStore(team) as accounts:
        if accounts.account("bench") is None:
            add_account(accounts, "bench", "admin", PASSWORD)
        accounts.grant("bench", uuid, str(folder))
    app = create_app(WebSettings((folder,), team, allowed_hosts=("testserver",)))
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    answer = client.post("/api/login", json={"username": "bench", "password": PASSWORD})
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    slug = next(iter(app.state.cases))
    return client, f"/cases/{slug}"


def _pages(folder: Path) -> list[tuple[str, str]]:
    """The addresses to time, chosen from the case (a busy number, a mid-sized call)."""
    with CaseStore(folder) as store:
        conn = store.conn
        busy = conn.execute(
            "SELECT e164 FROM call_numbers GROUP BY e164 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        quiet = conn.execute(
            "SELECT e164 FROM call_numbers GROUP BY e164 ORDER BY count(*), e164 LIMIT 1"
        ).fetchone()[0]
        calls = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
        call = conn.execute("SELECT min(id) FROM calls WHERE status = 'done'").fetchone()[0]
    deep = max(1, calls // 100 - 1)
    return [
        ("dashboard", "/"),
        ("calls, first page", "/calls"),
        ("calls, flag + date filter", "/calls?flag=casualties&from=2022-03-01&to=2022-06-30"),
        ("calls, by number", f"/calls?number={busy}"),
        ("calls, sorted by date, deep page", f"/calls?sort=date&page={deep}"),
        ("calls, review queue", "/calls?sort=certainty"),
        ("calls, reliability: silent", "/calls?reliability=silent"),
        ("search page: common word", "/search?q=мама"),
        ("search page: word + date + flag", "/search?q=полк&from=2022-03-01&to=2022-04-30"),
        ("call page", f"/calls/{call}"),
        ("number page, busiest number", f"/number?n={busy}"),
        ("number page, quiet number", f"/number?n={quiet}"),
        ("graph page, whole case", "/graph"),
        ("graph page, one month", "/graph?from=2022-03-01&to=2022-03-31"),
        ("timeline and map", "/timeline"),
    ]


def _time(get: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    """First answer, p50 and p95 (ms) of ``repeat`` more."""
    started = time.perf_counter()
    get()
    first = (time.perf_counter() - started) * 1000
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        get()
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]
    return first, statistics.median(timings), p95


def measure_pages(
    folder: Path, repeat: int, only: str = ""
) -> Iterator[tuple[str, float, float, float]]:
    """Each page's timings, as measured; ``only`` (a regular expression) keeps the pages
    whose name it finds."""
    with CaseStore(folder) as store, store.transaction():
        # The first view of the graph pages then computes the analytics, as after any change.
        store.conn.execute("DELETE FROM graph_cache")
    with tempfile.TemporaryDirectory() as tmp:
        client, base = _client(folder, Path(tmp) / "team.db")
        for name, address in _pages(folder):
            if not re.search(only, name):
                continue

            def get(address: str = address) -> None:
                answer = client.get(base + address)
                if answer.status_code != 200:
                    raise SystemExit(f"{address}: {answer.status_code} {answer.text[:300]}")

            yield (name, *_time(get, repeat))
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--case", type=Path, help="build the case here, or reuse it")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--ingest-files", type=int, default=1000, help="0: no ingest row")
    parser.add_argument(
        "--search", action=argparse.BooleanOptionalAction, default=True, help="search rows"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", default="", help="time only the pages whose name this regular expression finds"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.case or Path(tmp) / "case"
        build_case(folder, args.calls, args.segments, args.seed)
        with CaseStore(folder) as store:
            calls = store.conn.execute("SELECT count(*) FROM calls").fetchone()[0]
            segments = store.conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        print(f"| measure ({calls:,} calls, {segments:,} segments) | first ms | p50 ms | p95 ms |")
        print("| --- | ---: | ---: | ---: |")
        if args.search:
            _prepare_search(folder)
        for name, first, p50, p95 in measure_pages(folder, args.repeat, args.only):
            print(f"| page: {name} | {first:.0f} | {p50:.0f} | {p95:.0f} |", flush=True)
        if args.search:
            _search_rows(folder, args.repeat)
        if args.ingest_files:
            _ingest_row(args.ingest_files)


def _prepare_search(folder: Path) -> None:
    """What the first search after the build does (``search_scale.prepare``), timed apart."""
    prepare = getattr(search_scale, "prepare", None)
    if prepare is None:
        return
    with CaseStore(folder) as store:
        made = prepare(store)
    print(
        "| search: first search after the build (sound keys, index)"
        f" | {1000 * (made['sounds_s'] + made['index_s']):.0f} | | |",
        flush=True,
    )


def _search_rows(folder: Path, repeat: int) -> None:
    """Search latencies through ``search_scale.measure_search``."""
    measure = getattr(search_scale, "measure_search", None)
    if measure is None:
        print("| search: search_scale.measure_search not available | | | |")
        return
    with CaseStore(folder) as store:
        for row in measure(store, repeat=repeat):
            print(
                f"| search: {row['query']} ({row['matches']:,} hits) | |"
                f" {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |"
            )


def _ingest_row(files: int) -> None:
    """Ingest files per second (``ingest_scale.measure_ingest``), when that module is there."""
    try:
        import ingest_scale  # type: ignore[import-not-found]
    except ImportError:
        print("| ingest: ingest_scale not available | | | |")
        return
    with tempfile.TemporaryDirectory() as tmp:
        found = ingest_scale.measure_ingest(files, Path(tmp))
    print(
        f"| ingest of {files:,} files: {found.get('files_per_s')} files/s from a folder,"
        f" {found.get('archive_files_per_s')} from a ZIP, peak {found.get('peak_rss_mb')} MB"
        " | | | |"
    )


if __name__ == "__main__":
    main()

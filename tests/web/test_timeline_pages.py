"""The timeline reads what it shows: dates said a page at a time, figures kept per change.

A small case of synthetic recordings is built here with chosen dates and
places said (one call without a date, a yearless date, dates that fall on
no calendar day, one day said in two calls across a page boundary), so each
rule of the page is checked against what the page listed before it read
dates in SQL: every date said, placed on its day in Python, in day order.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callsift.audio.wavfile import write_wav
from callsift.ingest.run import ingest_paths
from callsift.records import AudioInfo, ChannelTranscript, Mention, Segment
from callsift.store import CaseStore, list_calls, segments_of
from callsift.store.analysis import SegmentAnalysis, entity_counts, save_analysis
from callsift.store.overview import (
    SpokenDate,
    mapped_places,
    spoken_date_count,
    spoken_dates,
    spoken_days,
    timeline_generation,
)
from callsift.store.team import TeamStore
from callsift.web import maps, timecache
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app
from callsift.web.charts import near_the_calls

from .conftest import PASSWORD, signed_in

STARTED = {
    1: "2022-03-04T19:12:40+03:00",
    2: "2022-03-06T08:00:00+03:00",
    3: "",
    4: "2022-03-09T10:00:00+02:00",
}
"""Each call's ``started_at``: call 3 has none."""
KYIV = {"english": "Kyiv", "lat": 50.45, "lon": 30.52}
SAID: dict[int, list[tuple[str, str]]] = {
    1: [("2022-03-01", "первого марта"), ("--03-20", "двадцатого марта"), ("2022-03-01", "1.03")],
    2: [("2022-03-01", "1 марта"), ("--02-29", "29 февраля"), ("2022-02-24", "24 февраля")],
    3: [("--03-20", "двадцатого марта"), ("2022-03-05", "5 марта")],
    4: [("2021-02-29", "29.02.2021"), ("2022-03-20", "20 марта 2022 года")],
}
"""Dates said per call: ``--02-29`` in 2022 and ``2021-02-29`` fall on no day, and
call 3's yearless date has no year to take."""
PLACES: dict[int, list[tuple[str, dict[str, object]]]] = {
    1: [("Киев", KYIV), ("Буча", {"english": "Bucha", "lat": 50.54, "lon": 30.21})],
    2: [("Київ", KYIV), ("Киев", KYIV)],
    3: [("Нигдевск", {})],
}
"""Two spellings of Kyiv (one call says both); a place the gazetteer does not know."""


def _tone(path: Path, pitch: float) -> None:
    tone = 0.1 * np.sin(2 * np.pi * pitch * np.arange(16000 * 2) / 16000).astype(np.float32)
    with open(path, "wb") as handle:
        write_wav(handle, [tone], 16000)


def _say(store: CaseStore, call_id: int, dates: list[tuple[str, str]], places: list) -> None:
    """Give the call one segment and these dates and places, a second apart."""
    text = " ".join(t for _, t in dates) + " " + " ".join(n for n, _ in places)
    segment = Segment(0, 0.0, 30.0, text, "ru")
    store.save_transcript(
        call_id,
        AudioInfo(2.0, 16000, 1, "pcm_s16le", "wav"),
        [ChannelTranscript(0, "ru", 0.9, 30.0, [segment])],
        '{"test": "timeline"}',
    )
    segment_id = segments_of(store, call_id)[0].id
    assert segment_id is not None
    mentions = [
        Mention("date", said, normal, 0, len(said), kind=normal, start=float(k))
        for k, (normal, said) in enumerate(dates)
    ]
    mentions += [
        Mention("LOC", name, name, 0, len(name), attrs=attrs, start=10.0 + k)
        for k, (name, attrs) in enumerate(places)
    ]
    save_analysis(store, call_id, "test", [SegmentAnalysis(segment_id, text, mentions)])


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("timeline")
    sources = root / "sources"
    sources.mkdir()
    rows = ["file,caller,receiver,started_at"]
    for k, started in STARTED.items():
        _tone(sources / f"call_{k}.wav", 300.0 + 50 * k)
        rows.append(f"call_{k}.wav,+7 903 555 40 1{k},+7 903 555 40 2{k},{started}")
    (sources / "meta.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    folder = root / "case"
    with CaseStore(folder) as store:
        ingest_paths(store, [sources])
        ids = {int(c.file[5]): c.id for c in list_calls(store)}
        for k in STARTED:
            _say(store, ids[k], SAID.get(k, []), PLACES.get(k, []))
    return folder


def _as_before(store: CaseStore) -> list[tuple[date | None, int, float, str]]:
    """``(day, call, start, normal)`` of every date said, placed and ordered in Python as
    the page did before SQL placed them (a yearless date takes its call's year)."""
    found = []
    for row in store.conn.execute(
        "SELECT m.call_id, m.start, m.normal, c.started_day FROM mentions m"
        " JOIN calls c ON c.id = m.call_id WHERE m.type = 'date' ORDER BY m.call_id, m.start"
    ):
        normal, call_day = row["normal"], row["started_day"] or ""
        text = normal if not normal.startswith("--") else f"{call_day[:4]}{normal[1:]}"
        try:
            day: date | None = date.fromisoformat(text)
        except ValueError:
            day = None
        found.append((day, row["call_id"], row["start"], normal))
    return sorted(found, key=lambda s: (s[0] or date.max, s[1]))


def _shown(store: CaseStore, offset: int = 0, limit: int = -1) -> list[tuple]:
    return [
        (date.fromisoformat(s.day) if s.day else None, s.call_id, s.start, s.normal)
        for s in spoken_dates(store, offset, limit)
    ]


def test_dates_said_are_placed_and_ordered_as_before(case: Path) -> None:
    with CaseStore(case) as store:
        before = _as_before(store)
        assert _shown(store) == before
        assert spoken_date_count(store) == len(before) == sum(map(len, SAID.values()))
        unplaced = [normal for day, _, _, normal in before if day is None]
        assert sorted(unplaced) == ["--02-29", "--03-20", "2021-02-29"]  # listed last
        assert [day for day, *_ in before[: -len(unplaced)]] == sorted(
            day for day, *_ in before if day is not None
        )


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 13])
def test_pages_of_dates_said_join_up_to_every_date(case: Path, size: int) -> None:
    with CaseStore(case) as store:
        every = _shown(store)
        pages = [_shown(store, offset, size) for offset in range(0, len(every) + size, size)]
    assert all(len(p) == size for p in pages[:-2]) and pages[-1] == []
    assert [row for p in pages for row in p] == every


def test_one_mark_a_day_the_first_call_that_said_it(case: Path) -> None:
    with CaseStore(case) as store:
        before = _as_before(store)
        marks = spoken_days(store)
    first: dict[date, tuple] = {}
    for row in before:
        if row[0] is not None:
            first.setdefault(row[0], row)
    assert [(date.fromisoformat(str(m.day)), m.call_id, m.start, m.normal) for m in marks] == list(
        first.values()
    )
    assert [m.text for m in marks if m.day == "2022-03-01"] == ["первого марта"]  # call 1, 0 s


def test_places_are_added_up_as_before(case: Path) -> None:
    merged: dict[tuple[str, float, float], int] = {}
    with CaseStore(case) as store:
        for row in entity_counts(store, ("LOC",)):
            attrs = row["attrs"]
            if isinstance(attrs, dict) and "lat" in attrs:
                key = (str(attrs.get("english") or row["normal"]), attrs["lat"], attrs["lon"])
                merged[key] = merged.get(key, 0) + int(str(row["calls"]))
        places = mapped_places(store)
    assert places == sorted(((*k, n) for k, n in merged.items()), key=lambda p: -p[3])
    assert places[0] == ("Kyiv", 50.45, 30.52, 3)  # Киев in 2 calls, Київ in 1: errs high
    assert "Нигдевск" not in {p[0] for p in places}  # not in the gazetteer: not on the map


def _serve(folder: Path, tmp_path: Path) -> FastAPI:
    with CaseStore(folder) as store:
        uuid = store.uuid
    with TeamStore(tmp_path / "team.db") as accounts:
        add_account(accounts, "admin", "admin", PASSWORD)
        accounts.grant("admin", uuid, str(folder))
    return create_app(WebSettings((folder,), tmp_path / "team.db", allowed_hosts=("testserver",)))


@pytest.fixture
def app(case: Path, tmp_path: Path) -> Iterator[FastAPI]:
    timecache.forget()
    yield _serve(case, tmp_path)
    timecache.forget()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with signed_in(app, "admin") as admin:
        yield admin


def _listed(page: str) -> list[str]:
    found = re.search(r'<ul class="said-list">(.*?)</ul>', page, re.S)
    assert found is not None
    return re.findall(r"<li>(.*?)</li>", found[1], re.S)


def _figures(page: str) -> str:
    """The chart and the calls-per-day table: the same on every page of dates."""
    found = re.search(r"<svg class=\"chart.*?</details>", page, re.S)
    assert found is not None
    return found[0]


def test_the_page_lists_a_page_of_dates_and_the_whole_case_beside_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(maps, "SAID_PER_PAGE", 3)
    pages = [client.get(f"/cases/case/timeline?page={n}").text for n in (1, 2, 3, 4, 5)]
    listed = [_listed(p) for p in pages]
    assert [len(rows) for rows in listed] == [3, 3, 3, 1, 1]  # the last: "none"
    assert listed[4] == ["none"]
    assert "1–3 of 10 dates spoken" in pages[0] and "10–10 of 10 dates spoken" in pages[3]
    assert 'rel="next" href="?page=2"' in pages[0] and 'rel="next"' not in pages[3]
    # 1 March is said twice by call 1 and once by call 2: a page ends between them, and
    # the chart and the calls per day are the whole case's on every page.
    assert ["1 March 2022" in row for row in listed[0]] == [False, True, True]
    assert "1 March 2022" in listed[1][0] and "call 2 (call_2.wav)" in listed[1][0]
    assert all(_figures(p) == _figures(pages[0]) for p in pages[1:])
    marks = re.findall(r'<path d="[^"]*" class="said"><title>(.*?)</title>', pages[0])
    assert len(marks) == 4  # 24 February, 1, 5 and 20 March: one a day
    assert marks[1] == "“первого марта” · 1 March 2022 · call 1"
    assert "20 March, year not said" in listed[1][2]  # call 1's, placed in 2022
    assert "10 days from the call's date" in listed[0][0]  # 24 February, said on 6 March
    # Those placed on no day come last, by call: as said, never as "--02-29".
    assert "29 February, year not said" in listed[2][1] and "call 2" in listed[2][1]
    assert "20 March, year not said" in listed[2][2] and "call 3" in listed[2][2]
    assert listed[3][0].startswith("2021-02-29 · ")
    assert "1 call without a readable date is not on the timeline." in pages[0]


def test_a_change_of_the_case_shows_at_the_next_view(case: Path, tmp_path: Path) -> None:
    """Each view after a change reads the figures again: the first analysis of a call
    (mentions inserted only), a re-analysis, a new call with its date."""
    folder = tmp_path / "changed"
    shutil.copytree(case, folder)
    timecache.forget()
    with signed_in(_serve(folder, tmp_path), "admin") as client:

        def view() -> str:
            return client.get("/cases/changed/timeline").text

        with CaseStore(folder) as store:
            call = next(c for c in list_calls(store) if c.file == "call_4.wav").id
            save_analysis(store, call, "test", [])  # call 4 says nothing
        before = view()
        with CaseStore(folder) as store:
            assert timecache.timeline_figures(store) is timecache.timeline_figures(store)
            generation = timeline_generation(store)
            _say(store, call, SAID[4] + [("2022-03-07", "седьмого марта")], [])
            assert timeline_generation(store) > generation
        after = view()
        assert len(_listed(before)) == 8 and len(_listed(after)) == 11
        assert before.count('class="said"') == 4 and after.count('class="said"') == 5
        assert "“седьмого марта” · 7 March 2022 · call 4" in after
        with CaseStore(folder) as store:
            save_analysis(store, call, "test", [])  # mentions deleted only
        assert len(_listed(view())) == 8 and "седьмого марта" not in view()
        sources = tmp_path / "more"
        sources.mkdir()
        _tone(sources / "call_5.wav", 700.0)
        (sources / "meta.csv").write_text(
            "file,started_at\ncall_5.wav,2022-03-10T09:00:00+02:00\n", encoding="utf-8"
        )
        assert "<td>10 Mar 2022</td><td>1 call</td>" not in view()
        with CaseStore(folder) as store:
            ingest_paths(store, [sources])
        assert "<td>10 Mar 2022</td><td>1 call</td>" in view()
    timecache.forget()


def test_an_empty_case_has_a_timeline_with_nothing_on_it(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    with CaseStore(folder) as store:
        uuid = store.uuid
        assert spoken_dates(store) == [] and spoken_days(store) == []
        assert mapped_places(store) == [] and spoken_date_count(store) == 0
    with TeamStore(tmp_path / "team.db") as accounts:
        add_account(accounts, "admin", "admin", PASSWORD)
        accounts.grant("admin", uuid, str(folder))
    app = create_app(WebSettings((folder,), tmp_path / "team.db", allowed_hosts=("testserver",)))
    with signed_in(app, "admin") as client:
        answer = client.get("/cases/empty/timeline")
    assert answer.status_code == 200
    assert "No call has a readable date." in answer.text
    assert _listed(answer.text) == ["none"]
    assert "No place spoken of is in the gazetteer." in answer.text
    assert 'class="map' not in answer.text and 'rel="next"' not in answer.text


def test_a_call_whose_own_date_is_no_day_still_lists_what_it_said() -> None:
    spoken = SpokenDate(7, "call_7.wav", "2022-13-45", "2022-03-01", "1 марта", 2.0, "2022-03-01")
    said = maps._said(spoken)
    assert said.day == date(2022, 3, 1) and said.off_by_days is None and said.year_said


def test_a_date_said_far_from_the_calls_is_listed_but_does_not_stretch_the_chart(
    case: Path, tmp_path: Path
) -> None:
    """ "9 мая 1945 года" said in a 2022 call once drew 4,000 weekly bars with every
    call in one of them; it is listed, not drawn, and the chart keeps the calls' days."""
    folder = tmp_path / "far"
    shutil.copytree(case, folder)
    timecache.forget()
    with CaseStore(folder) as store:
        call = next(c for c in list_calls(store) if c.file == "call_4.wav").id
        _say(store, call, [("1945-05-09", "9 мая 1945 года"), ("2022-04-02", "2 апреля")], [])
    with signed_in(_serve(folder, tmp_path), "admin") as client:
        page = client.get("/cases/far/timeline").text
    marks = re.findall(r'<path d="[^"]*" class="said"><title>(.*?)</title>', page)
    assert "“2 апреля” · 2 April 2022 · call 4" in marks  # a month after: still drawn
    assert not any("1945" in mark for mark in marks)
    assert "1 day said lies far from the calls' days and is not drawn" in page
    assert "9 May 1945" in _listed(page)[0]
    assert len(re.findall(r'class="bar"', page)) <= 60  # days of March and April 2022
    timecache.forget()


def test_how_far_from_the_calls_a_date_is_drawn() -> None:
    per_day = [("2022-03-01", 2), ("2022-03-03", 1)]
    days = [date(2022, 1, 29), date(2022, 1, 28), date(2022, 4, 3), date(2022, 4, 4)]
    assert near_the_calls(per_day, days) == [True, False, True, False]  # a month each side
    year = [("2020-01-01", 1), ("2022-01-01", 1)]
    assert near_the_calls(year, [date(2022, 12, 31), date(2023, 1, 3)]) == [True, False]
    undated = [date(2022, 3, 1), date(2022, 3, 2), date(1945, 5, 9)]
    assert near_the_calls([], undated) == [True, True, False]
    assert near_the_calls([], []) == []

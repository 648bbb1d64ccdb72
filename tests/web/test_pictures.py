"""The pictures' geometry: labels that never overlap, bars to scale, arrows, the basemap.

Unit tests on plain records (no browser): the label placement on the demo
case's graph and on a dense synthetic one, the bars' heights against their
counts, the graph's arrows and counts, and the map's borders and projection.
``test_browser_pictures.py`` checks the same in Chromium.
"""

from __future__ import annotations

import itertools
import json
import random
from datetime import date
from typing import Any

import pytest

from callsift.graph.callgraph import GraphCall, build_graph, case_graph
from callsift.graph.flows import flows, in_period
from callsift.graph.numbers import PhoneNumber
from callsift.store import CaseStore
from callsift.web.charts import day_bars
from callsift.web.graphview import LETTERING, graph_picture
from callsift.web.labels import Box, Wanted, place_labels, text_box
from callsift.web.maps import Said, spoken_day
from callsift.web.mapview import BASEMAP, load_basemap, map_picture


def _no_overlap(boxes: list[Box]) -> None:
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


def _number(i: int) -> PhoneNumber:
    e164 = f"+7903555{i:04d}"
    return PhoneNumber(e164, e164, True, "RU", None, None, "mobile")


def _dense_calls(n_numbers: int = 120, n_calls: int = 900) -> list[GraphCall]:
    rng = random.Random(5)
    calls = []
    for i in range(n_calls):
        a, b = rng.sample(range(n_numbers), 2)
        day = f"2022-03-{1 + i % 28:02d}T10:00:00+03:00"
        calls.append(GraphCall(i + 1, f"c{i}.wav", "done", day, 30.0, None, _number(a), _number(b)))
    return calls


def _label_boxes(picture: Any, css: str) -> list[Box]:
    return [
        text_box(label.x, label.y, label.text, label.size, label.anchor)
        for label in picture.labels
        if f" {css} " in f" {label.css} "
    ]


def test_placed_labels_never_overlap_each_other_nor_marks() -> None:
    rng = random.Random(1)
    wanted = [
        Wanted(
            f"n{i}", rng.uniform(0, 300), rng.uniform(0, 300), f"+7 903 {i:04d}", rng.random(), 4
        )
        for i in range(400)
    ]
    marks = [Box(w.x - 4, w.y - 4, w.x + 4, w.y + 4) for w in wanted]
    bounds = Box(0, 0, 300, 300)
    placed = place_labels(wanted, bounds, marks, 12, levels=(1, 2, 4))
    assert 0 < len(placed) < len(wanted)  # dense: only some fit
    _no_overlap([label.box for label in placed])
    for label in placed:
        assert label.box.within(bounds)
        assert not any(label.box.overlaps(mark) for mark in marks)
    assert len({label.key for label in placed}) == len(placed)


def test_the_most_important_label_is_placed_first() -> None:
    wanted = [Wanted("minor", 50, 50, "minor", 1), Wanted("major", 52, 50, "major", 9)]
    placed = place_labels(wanted, Box(0, 0, 100, 100), (), 12)
    assert placed[0].key == "major"


@pytest.mark.parametrize("source", ["demo", "dense"])
def test_graph_labels_do_not_overlap_in_any_set(source: str, cases: dict[str, Any]) -> None:
    if source == "demo":
        with CaseStore(cases["alpha"], create=False) as store:
            graph = case_graph(store, refresh_numbers=False)
    else:
        graph = build_graph(_dense_calls())
    picture = graph_picture(graph)
    for css, _ in LETTERING:
        boxes = _label_boxes(picture, css)
        assert boxes
        _no_overlap(boxes)
        assert all(box.within(Box(0, 0, picture.size, picture.size)) for box in boxes)


def test_graph_has_an_arrow_per_direction_and_counts_beside_them() -> None:
    a, b, c = _number(1), _number(2), _number(3)
    calls = [
        GraphCall(1, "1.wav", "done", "2022-03-01", 1.0, None, a, b),
        GraphCall(2, "2.wav", "done", "2022-03-02", 1.0, None, a, b),
        GraphCall(3, "3.wav", "done", "2022-03-03", 1.0, None, b, a),
        GraphCall(4, "4.wav", "done", "2022-03-04", 1.0, None, c, a),
    ]
    picture = graph_picture(build_graph(calls))
    directions = sorted((arrow.caller, arrow.receiver, arrow.calls) for arrow in picture.arrows)
    assert directions == [(a.e164, b.e164, 2), (b.e164, a.e164, 1), (c.e164, a.e164, 1)]
    counts = {label.text for label in picture.labels if label.kind == "count"}
    assert {"2", "1"} <= counts


def test_who_called_whom_is_sorted_by_calls_and_a_period_keeps_its_days() -> None:
    calls = _dense_calls(10, 200)
    rows = flows(calls)
    assert [row.calls for row in rows] == sorted((row.calls for row in rows), reverse=True)
    assert sum(row.calls for row in rows) == 200
    week = in_period(calls, date(2022, 3, 1), date(2022, 3, 7))
    assert week and all("2022-03-01" <= c.started_at[:10] <= "2022-03-07" for c in week)  # type: ignore[index]
    assert len(in_period(calls, None, None)) == 200


def test_bars_are_as_high_as_their_counts() -> None:
    chart = day_bars([("2022-03-01", 1), ("2022-03-02", 4), ("2022-03-04", 2)])
    assert chart is not None and chart.unit == "day"
    by_day = {bar.start: bar for bar in chart.bars}
    assert [by_day[d].count for d in sorted(by_day)] == [1, 4, 0, 2]
    unit = by_day["2022-03-02"].height / 4
    for bar in chart.bars:
        assert bar.height == pytest.approx(unit * bar.count, abs=0.02)
        assert bar.y + bar.height == pytest.approx(chart.base)
    assert [t.count for t in chart.ticks] == [0, 2, 4]


def test_a_long_span_counts_calls_per_week() -> None:
    per_day = [(f"2022-03-{d:02d}", 1) for d in range(1, 32)] + [("2022-04-20", 3)]
    chart = day_bars(per_day)
    assert chart is not None and chart.unit == "week"
    assert sum(bar.count for bar in chart.bars) == 34
    assert len({bar.height for bar in chart.bars if bar.count}) > 1
    assert all(date.fromisoformat(bar.start).weekday() == 0 for bar in chart.bars)


def test_the_basemap_file_is_small_and_names_its_source() -> None:
    assert BASEMAP.stat().st_size < 300_000
    data = json.loads(BASEMAP.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"]
    basemap = load_basemap()
    names = {c.name for c in basemap.countries}
    assert {"Ukraine", "Russia", "Belarus", "Moldova"} <= names
    assert {"Kharkiv", "Luhans'k", "Kiev"} <= {r.name for r in basemap.regions}
    assert (BASEMAP.parent / "NOTICE").read_text(encoding="utf-8").count("Natural Earth")


def test_the_map_draws_borders_under_the_places_with_a_sane_projection() -> None:
    places = [("Kyiv", 50.45, 30.52, 5), ("Kharkiv", 49.99, 36.23, 3), ("Odesa", 46.48, 30.72, 1)]
    picture = map_picture(places)
    assert len(picture.countries) >= 3 and len(picture.regions) >= 10
    kyiv, kharkiv, odesa = picture.points
    assert kharkiv.x > kyiv.x and odesa.y > kyiv.y  # east is right, south is down
    east = (kharkiv.x - kyiv.x) / (36.23 - 30.52)
    north = (odesa.y - kyiv.y) / (50.45 - 46.48)
    assert east / north == pytest.approx(0.66, abs=0.05)  # cos(48.5°): shapes kept
    bounds = Box(0, 0, picture.width, picture.height)
    for css in ("desk", "phone"):
        boxes = _label_boxes(picture, css)
        _no_overlap(boxes)
        assert all(box.within(bounds) for box in boxes)
    assert {label.text for label in picture.labels if label.kind == "placename"} >= {
        "Kyiv",
        "Odesa",
    }


def test_a_date_said_without_a_year_is_written_for_people() -> None:
    said = Said(date(2022, 3, 20), False, "--03-20", 8, "call_008.m4a", "двадцатый марта", 5.3, 18)
    assert spoken_day(said) == "20 March"
    undated = Said(None, False, "--03-20", 8, "call_008.m4a", "двадцатый марта", 5.3, None)
    assert spoken_day(undated) == "20 March"
    full = Said(date(2022, 3, 20), True, "2022-03-20", 8, "f", "t", 1.0, 0)
    assert spoken_day(full) == "20 March 2022"

"""The command line as scripts use it: exit codes and the documented JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from callsift.cli import app

from .conftest import run, runner


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory, real_dir: Path, demo_dir: Path) -> Path:
    """Two real Russian clips, one broken file, a synthetic call and a sidecar, processed."""
    inbox = tmp_path_factory.mktemp("inbox")
    shutil.copy(real_dir / "ru_pisets_test_sound_ru.wav", inbox / "a.wav")
    shutil.copy(real_dir / "ru_deepspeech_smoke_ru.wav", inbox / "b.wav")
    shutil.copy(demo_dir / "call_001.wav", inbox / "c.wav")
    (inbox / "broken.mp3").write_bytes(b"ID3\x03\x00\x00\x00garbage" * 50)
    (inbox / "calls.csv").write_text(
        "file,caller,receiver,started_at,duration_s,location,notes,ref\n"
        "a.wav,+7 903 555 17 08,8 (916) 555-23-41,2022-03-14T18:22:05+03:00,3.2,Буча,,R1\n",
        encoding="utf-8",
    )
    case = tmp_path_factory.mktemp("cli") / "case"
    report = run("ingest", str(inbox), "--case", str(case), "--json")
    assert (report["new_calls"], report["metadata_rows"], report["failures"]) == (4, 1, [])
    run("process", "--case", str(case))
    return case


def test_status_json_counts_and_names_failures(small_case: Path) -> None:
    status = run("status", "--case", str(small_case), "--json")
    assert (status["calls"], status["done"], status["failed"]) == (4, 3, 1)
    (failure,) = status["failures"]
    assert failure["file"] == "broken.mp3" and failure["reason"]
    assert status["languages"] == {"ru": 3}


def test_list_json_has_every_call(small_case: Path) -> None:
    calls = run("list", "--case", str(small_case), "--json")
    assert [(c["id"], c["file"], c["status"]) for c in calls] == [
        (1, "a.wav", "done"),
        (2, "b.wav", "done"),
        (3, "broken.mp3", "failed"),
        (4, "c.wav", "done"),
    ]
    assert all(len(c["sha256"]) == 64 for c in calls)


def test_show_json_has_metadata_and_segments(small_case: Path) -> None:
    call = run("show", "1", "--case", str(small_case), "--json")
    assert call["metadata"]["caller"] == "+7 903 555 17 08"
    assert call["metadata"]["location"] == "Буча"
    assert call["metadata"]["extra"] == {"ref": "R1"}
    assert call["status"] == "done" and call["file"] == "a.wav"
    segment = call["segments"][0]
    assert set(segment) >= {"channel", "start", "end", "language", "text", "words"}
    assert segment["language"] == "ru" and "хорошо" in segment["text"].lower()


def test_search_json_points_at_the_call_and_time(small_case: Path) -> None:
    hits = run("search", "хорошо", "--case", str(small_case), "--json")
    assert [h["call_id"] for h in hits] == [1]
    assert set(hits[0]) >= {"call_id", "channel", "start", "end", "text"}
    assert hits[0]["start"] < hits[0]["end"]


def test_a_second_process_run_has_nothing_to_do(small_case: Path) -> None:
    report = run("process", "--case", str(small_case), "--json")
    assert (report["processed"], report["done"], report["failed"]) == (0, 0, 0)


def test_errors_are_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--case", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "no such case folder" in result.output
    result = runner.invoke(app, ["show", "99", "--case", str(tmp_path / "c")])
    assert result.exit_code == 1


def test_case_comes_from_the_environment(small_case: Path) -> None:
    result = runner.invoke(app, ["status", "--json"], env={"CALLSIFT_CASE": str(small_case)})
    assert json.loads(result.stdout)["calls"] == 4


def test_help_and_version() -> None:
    assert "ingest" in run("--help").output
    assert run("--version").output.startswith("callsift ")


def test_show_json_has_translation_entities_and_flags(small_case: Path) -> None:
    call = run("show", "4", "--case", str(small_case), "--json")
    assert [(c["channel"], c["language"], c["mixed"]) for c in call["channels"]] == [
        (0, "ru", False)
    ]
    assert call["channels"][0]["language_reason"]
    assert all(s["translation"] for s in call["segments"])
    places = [e for e in call["entities"] if e["type"] == "LOC" and "english" in e["attrs"]]
    assert [(p["normal"], p["attrs"]["english"]) for p in places] == [("Буча", "Bucha")]
    casualty = next(e for e in call["entities"] if e["type"] == "casualty" and e["value"])
    assert (casualty["value"], casualty["kind"]) == (12, "killed")
    assert casualty["start"] > 10  # said in the second half of the call
    assert {"topic", "start", "text"} <= set(call["flags"][0])
    assert "casualties" in {f["topic"] for f in call["flags"]}


def test_entities_and_flags_commands_list_the_case(small_case: Path) -> None:
    rows = run("entities", "--type", "LOC", "--case", str(small_case), "--json")
    assert ("Буча", 1, "Bucha") in [
        (r["normal"], r["calls"], r["attrs"].get("english")) for r in rows
    ]
    flags = run("flags", "--topic", "casualties", "--case", str(small_case), "--json")
    assert {f["call_id"] for f in flags} == {4}


def test_search_in_every_form_across_languages_with_facets(small_case: Path) -> None:
    assert {h["call_id"] for h in run("search", "Бучи", "--case", str(small_case), "--json")} == {4}
    english = run("search", "killed", "--lang", "en", "--case", str(small_case), "--json")
    assert [h["call_id"] for h in english] == [4]
    faceted = run("search", "Буча", "--facets", "--case", str(small_case), "--json")
    assert faceted["total"] >= 1 and faceted["facets"]["language"] == {"ru": faceted["total"]}
    none = run("search", "Буча", "--flag", "orders", "--case", str(small_case), "--json")
    assert none == []

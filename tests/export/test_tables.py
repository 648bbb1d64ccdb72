"""CSV export: calls.csv alone, or every readable table in a ZIP."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from callsift.export.formats import write_format
from callsift.export.tables import CALL_COLUMNS
from callsift.store import CaseStore, segments_of

from ..conftest import DEMO_CALLS


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Cyrillic as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_calls_csv_has_one_row_per_call(export_case: CaseStore, tmp_path: Path) -> None:
    out = write_format(export_case, "csv", None, tmp_path / "calls.csv")
    data = out.read_bytes()
    assert data.splitlines()[0].decode("utf-8-sig") == ",".join(CALL_COLUMNS)
    rows = _rows(data)
    assert [row["id"] for row in rows] == [str(n) for n in range(1, DEMO_CALLS + 1)]
    first = rows[0]
    assert first["caller_raw"] == "+7 903 555 17 08" and first["caller_e164"] == "+79035551708"
    assert first["receiver_raw"] == "8 (916) 555-23-41" and first["receiver_valid"] == "1"
    assert first["caller_name"] == "Сидоров Иван / Смирнов Олег"
    assert (first["verification"], first["reviewer"]) == ("verified", "ana")
    assert first["languages"] == "ru" and first["flags"] == "1"  # "не ранен" is no flag
    assert first["started_at"] == "2022-03-04T19:12:40+03:00" and first["duration_s"] == "21.155"
    call_18 = rows[17]
    assert (call_18["receiver_raw"], call_18["receiver_e164"], call_18["receiver_valid"]) == (
        "12345",
        "",
        "0",
    )
    assert rows[19]["status"] == "failed" and rows[19]["reason"].startswith("not an audio file")
    assert {row["verification"] for row in rows[3:]} == {"unverified"}


def test_zip_holds_every_table_of_the_selection(export_case: CaseStore, tmp_path: Path) -> None:
    out = write_format(export_case, "csv", [3, 1], tmp_path / "tables.zip")
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None
        tables = {name: _rows(archive.read(name)) for name in archive.namelist()}
    assert sorted(tables) == sorted(
        f"{name}.csv"
        for name in (
            "calls",
            "numbers",
            "known_numbers",
            "segments",
            "entities",
            "flags",
            "findings",
            "verification_history",
            "call_links",
            "custody",
        )
    )
    assert [row["id"] for row in tables["calls.csv"]] == ["1", "3"]
    for name in ("segments.csv", "entities.csv", "flags.csv", "numbers.csv"):
        assert {row["call_id"] for row in tables[name]} == {"1", "3"}, name
    assert {(r["name"], r["raw"]) for r in tables["known_numbers.csv"]} == {
        ("Сидоров Иван", "+7 903 555 17 08"),
        ("Смирнов Олег", "8 903 555 17 08"),
    }
    assert [(r["call_id"], r["other_call_id"]) for r in tables["call_links.csv"]] == [("3", "1")]
    assert [r["status"] for r in tables["verification_history.csv"]] == ["verified", "disputed"]
    shas = {row["sha256"] for row in tables["calls.csv"]}
    assert {row["sha256"] for row in tables["custody.csv"]} == shas
    texts = [row["text"] for row in tables["segments.csv"] if row["call_id"] == "1"]
    assert texts == [segment.text for segment in segments_of(export_case, 1)]
    assert "двенадцать" in " ".join(texts)

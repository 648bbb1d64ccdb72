"""Names that are not UTF-8, from a ZIP, a TAR or a folder, ingested into a real case."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore
from callsift.store.names import printable


def ingest_entries(case: CaseStore, paths: list[Path]) -> list[dict[str, Any]]:
    report = ingest_paths(case, paths)
    assert report.failures == []
    return [entry["detail"] for entry in case.custody() if entry["action"] == "ingest"]


def calls(case: CaseStore) -> dict[str, bytes]:
    rows = case.conn.execute("SELECT file, sha256 FROM calls ORDER BY id").fetchall()
    return {row["file"]: case.originals.path(row["sha256"]).read_bytes() for row in rows}


def test_printable_escapes_each_undecodable_byte_and_gives_the_raw_bytes() -> None:
    assert printable("plain Буча.wav") == ("plain Буча.wav", None)
    name = b"caf\xe9 \xd0\x91.wav".decode("utf-8", "surrogateescape")
    assert printable(name) == ("caf\\xe9 Б.wav", b"caf\xe9 \xd0\x91.wav".hex())


def test_zip_names_flagged_utf8_that_are_not_are_kept_escaped(
    case: CaseStore, tmp_path: Path
) -> None:
    path = tmp_path / "calls.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("good.wav", b"good")
        archive.writestr("zé.wav", b"accented")  # non-ASCII: written with the UTF-8 flag
        archive.writestr("after.wav", b"after")
    data = path.read_bytes()
    assert data.count("zé.wav".encode()) == 2  # local header and central directory
    path.write_bytes(data.replace("zé.wav".encode(), b"z\xff\xfe.wav"))  # same length

    details = ingest_entries(case, [path])

    assert calls(case) == {
        "good.wav": b"good",
        "z\\xff\\xfe.wav": b"accented",
        "after.wav": b"after",
    }
    [bad] = [d for d in details if "file_bytes" in d]
    assert bytes.fromhex(bad["file_bytes"]) == b"z\xff\xfe.wav"
    assert bytes.fromhex(bad["origin_bytes"]).endswith(b"calls.zip!z\xff\xfe.wav")
    assert bad["origin"] == f"{path}!z\\xff\\xfe.wav"


def test_tar_names_that_are_not_utf8_are_kept_and_the_batch_goes_on(
    case: CaseStore, tmp_path: Path
) -> None:
    path = tmp_path / "calls.tar"
    name = b"\xc1\xf3\xf7\xe0.wav".decode("utf-8", "surrogateescape")  # "Буча" in cp1251
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as archive:
        for member, data in [(name, b"cp1251"), ("ok.wav", b"ok")]:
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo(f"link-{name}")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    (tmp_path / "later.wav").write_bytes(b"later")

    report = ingest_paths(case, [path, tmp_path / "later.wav"])

    assert calls(case) == {
        "\\xc1\\xf3\\xf7\\xe0.wav": b"cp1251",
        "ok.wav": b"ok",
        "later.wav": b"later",
    }
    [failure] = report.failures
    assert failure.path == f"{path}!link-\\xc1\\xf3\\xf7\\xe0.wav"
    failed = [e["detail"] for e in case.custody() if e["action"] == "ingest-failed"]
    assert bytes.fromhex(failed[0]["file_bytes"]).endswith(b"!link-\xc1\xf3\xf7\xe0.wav")
    assert case.conn.execute("SELECT file FROM input_failures").fetchone()[0] == failure.path


def test_folder_names_that_are_not_utf8_are_kept(case: CaseStore, tmp_path: Path) -> None:
    drive = tmp_path / "drive"
    drive.mkdir()
    raw = os.fsencode(drive) + b"/\xcd\xe0\xe4\xff.wav"
    with open(raw, "wb") as handle:
        handle.write(b"raw name")
    (drive / "plain.wav").write_bytes(b"plain")

    details = ingest_entries(case, [drive])

    assert calls(case) == {"plain.wav": b"plain", "\\xcd\\xe0\\xe4\\xff.wav": b"raw name"}
    [bad] = [d for d in details if "file_bytes" in d]
    assert bytes.fromhex(bad["origin_bytes"]) == raw

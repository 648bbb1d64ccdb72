"""Archives read once, and zip bombs cut off by the bytes they actually deliver."""

from __future__ import annotations

import io
import os
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from callsift.errors import InputError
from callsift.ingest import archives
from callsift.ingest.sources import Limits, iter_sources
from callsift.records import SourceFile

REPO = Path(__file__).resolve().parents[2]
SMALL = Limits(max_ratio=10, ratio_grace_bytes=50_000)


def read_all(paths: list[Path], limits: Limits) -> list[tuple[str, str]]:
    """Each item as ("file", origin) once read whole, or ("error", "path: reason"), read as
    ingest reads them: each source to its end before the next is listed."""
    out = []
    for item in iter_sources(paths, limits):
        if isinstance(item, SourceFile):
            try:
                with item.open() as stream:
                    while stream.read(65536):
                        pass
            except InputError as error:
                item = error
            else:
                out.append(("file", item.origin))
                continue
        out.append(("error", f"{item.path}: {item.reason}"))
    return out


def test_a_zip_is_opened_once_for_all_its_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(300):
            archive.writestr(f"{number:03}.wav", b"x" * number)
    opened: list[object] = []

    class Counted(zipfile.ZipFile):
        def __init__(self, *args: object, **kwargs: object) -> None:
            opened.append(args[0])
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archives.zipfile, "ZipFile", Counted)
    found = read_all([path], Limits())
    assert len(found) == 300 and all(kind == "file" for kind, _ in found)
    assert len(opened) == 1


def test_a_member_that_expands_past_the_ratio_is_refused_and_the_rest_comes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("speech.wav", os.urandom(100_000))  # like audio: does not compress
        archive.writestr("silence.wav", bytes(400_000))  # about 1,000 to 1
        archive.writestr("after.wav", b"after")
    found = read_all([path], SMALL)
    assert found[0] == ("file", f"{path}!speech.wav")
    assert found[1][0] == "error"
    assert found[1][1].startswith(f"{path}!silence.wav: expands more than 10 times")
    assert "likely zip bomb" in found[1][1]
    assert found[2] == ("file", f"{path}!after.wav")


def test_members_that_expand_past_the_ratio_in_all_stop_the_archive_once(tmp_path: Path) -> None:
    path = tmp_path / "many-small.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(200):
            archive.writestr(f"{number:03}.wav", bytes(20_000))  # each under the grace
    found = read_all([path], SMALL)
    errors = [text for kind, text in found if kind == "error"]
    assert len(errors) == 2, errors
    assert "members expand more than 10 times the archive's" in errors[0]
    assert errors[1] == (
        f"{path}: members expand more than 10 times the archive's {path.stat().st_size} bytes;"
        " rest not read"
    )
    assert len(found) < 200


def test_a_lying_compressed_size_does_not_hide_a_bomb(tmp_path: Path) -> None:
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("silence.wav", bytes(2_000_000))
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 20, 10**9)  # declares 1 GB compressed
    path.write_bytes(bytes(data))
    [(kind, text)] = read_all([path], SMALL)
    assert kind == "error" and "members expand more than 10 times" in text


def test_a_compressed_tar_bomb_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / "bomb.tar.xz"
    with tarfile.open(path, "w:xz") as archive:
        info = tarfile.TarInfo("silence.wav")
        info.size = 3_000_000
        archive.addfile(info, io.BytesIO(bytes(info.size)))
    [(kind, text)] = read_all([path], SMALL)
    assert kind == "error"
    assert text.startswith(f"{path}!silence.wav: members expand more than 10 times")


def test_the_demo_corpus_zipped_comes_in_under_the_default_limits(tmp_path: Path) -> None:
    demo = sorted((REPO / "demo" / "calls").iterdir())
    path = tmp_path / "demo.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for file in demo:
            archive.write(file, file.name)
    found = read_all([path], Limits())
    assert found == [("file", f"{path}!{file.name}") for file in demo]

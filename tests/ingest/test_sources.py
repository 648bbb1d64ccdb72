"""iter_sources over folders and hostile archives, built fresh in tmp_path."""

from __future__ import annotations

import io
import os
import stat
import struct
import tarfile
import zipfile
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Literal

import pytest

from callsift.errors import InputError
from callsift.ingest import sources
from callsift.ingest.sources import Limits, iter_sources
from callsift.records import SourceFile

Item = tuple[str, str, str | bytes]


def summary(
    paths: list[Path], limits: Limits | None = None, root: Path | None = None
) -> list[Item]:
    """Each item as ("file", name, bytes) or ("error", path, reason); paths under root made
    relative so assertions read plainly. Reads every file after the walk has ended."""
    found = list(iter_sources(paths, limits or Limits()))
    prefix = f"{root}/" if root else ""
    out: list[Item] = []
    for item in found:
        if isinstance(item, InputError):
            out.append(("error", item.path.removeprefix(prefix), item.reason))
        else:
            with item.open() as stream:
                data = stream.read()
            assert len(data) == item.size
            out.append(("file", item.name, data))
    return out


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def add_tar(archive: tarfile.TarFile, name: str, data: bytes = b"", **attrs: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if data else None)


def patch_central(data: bytes, name: str, offset: int, value: int) -> bytes:
    """Rewrite a 2- or 4-byte field of ``name``'s central directory record."""
    at = next(
        p
        for p in range(len(data))
        if data[p : p + 4] == b"PK\x01\x02" and data[p + 46 : p + 46 + len(name)] == name.encode()
    )
    width = {8: "<H", 24: "<I"}[offset]
    patched = bytearray(data)
    struct.pack_into(width, patched, at + offset, value)
    return bytes(patched)


def test_folder_is_walked_in_sorted_order_with_relative_names(tmp_path: Path) -> None:
    for name in ["b.wav", "a/z.wav", "a/b/c.wav", "A.wav", "c.mp3"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(name.encode())
    assert summary([tmp_path]) == [
        ("file", "A.wav", b"A.wav"),
        ("file", "a/b/c.wav", b"a/b/c.wav"),
        ("file", "a/z.wav", b"a/z.wav"),
        ("file", "b.wav", b"b.wav"),
        ("file", "c.mp3", b"c.mp3"),
    ]


def test_plain_file_is_named_by_its_basename_and_origin_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "day1").mkdir()
    (tmp_path / "day1" / "0001.wav").write_bytes(b"RIFF")
    monkeypatch.chdir(tmp_path)
    [source] = iter_sources([Path("day1/0001.wav")])
    assert isinstance(source, SourceFile)
    assert (source.name, source.origin, source.size) == (
        "0001.wav",
        str(tmp_path / "day1" / "0001.wav"),
        4,
    )


def test_zip_members_are_named_by_their_path_inside(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "calls.zip", {"day1/0001.wav": b"one", "0002.wav": b"two"})
    assert summary([archive]) == [("file", "day1/0001.wav", b"one"), ("file", "0002.wav", b"two")]
    origins = [s.origin for s in iter_sources([archive]) if isinstance(s, SourceFile)]
    assert origins == [f"{archive}!day1/0001.wav", f"{archive}!0002.wav"]


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.gz", "w:gz"), (".tbz", "w:bz2")])
def test_tar_members_come_through_whatever_the_compression(
    tmp_path: Path, suffix: str, mode: Literal["w", "w:gz", "w:bz2"]
) -> None:
    path = tmp_path / f"calls{suffix}"
    with tarfile.open(path, mode) as archive:
        add_tar(archive, ".", type=tarfile.DIRTYPE)
        add_tar(archive, "./day1", type=tarfile.DIRTYPE)
        add_tar(archive, "./day1/0001.wav", b"one")
        add_tar(archive, "0002.wav", b"two")
    assert summary([path], root=tmp_path) == [
        ("file", "day1/0001.wav", b"one"),
        ("file", "0002.wav", b"two"),
    ]


def test_archive_in_a_folder_is_expanded(tmp_path: Path) -> None:
    make_zip(tmp_path / "b.zip", {"x.wav": b"x"})
    (tmp_path / "a.wav").write_bytes(b"a")
    (tmp_path / "c.wav").write_bytes(b"c")
    found = [s for s in iter_sources([tmp_path]) if isinstance(s, SourceFile)]
    assert [(s.name, s.origin) for s in found] == [
        ("a.wav", str(tmp_path / "a.wav")),
        ("x.wav", f"{tmp_path / 'b.zip'}!x.wav"),
        ("c.wav", str(tmp_path / "c.wav")),
    ]


def test_zip_slip_names_are_refused_and_good_members_still_come(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "evil.zip",
        {
            "good.wav": b"g",
            "day1\\0001.wav": b"w",
            "../evil.wav": b"e",
            "\\abs.wav": b"e",
            "/etc/cron.d/evil": b"e",
            "C:/Windows/evil.wav": b"e",
            "day1\\..\\..\\evil.wav": b"e",
            "a/../../evil.wav": b"e",
            "bad\nname.wav": b"e",
            "good2.wav": b"g2",
        },
    )
    assert summary([archive], root=tmp_path) == [
        ("file", "good.wav", b"g"),
        ("file", "day1/0001.wav", b"w"),
        ("error", "evil.zip!../evil.wav", "'..' in archive path"),
        ("error", "evil.zip!\\abs.wav", "absolute path in archive"),
        ("error", "evil.zip!/etc/cron.d/evil", "absolute path in archive"),
        ("error", "evil.zip!C:/Windows/evil.wav", "drive letter in archive path"),
        ("error", "evil.zip!day1\\..\\..\\evil.wav", "'..' in archive path"),
        ("error", "evil.zip!a/../../evil.wav", "'..' in archive path"),
        ("error", "evil.zip!bad\nname.wav", "control character in member name"),
        ("file", "good2.wav", b"g2"),
    ]


def test_tar_links_devices_and_absolute_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.tar"
    with tarfile.open(path, "w") as archive:
        add_tar(archive, "a.wav", b"a")
        add_tar(archive, "sym.wav", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        add_tar(archive, "hard.wav", type=tarfile.LNKTYPE, linkname="a.wav")
        add_tar(archive, "dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
        add_tar(archive, "pipe", type=tarfile.FIFOTYPE)
        add_tar(archive, "/abs.wav", b"x")
        add_tar(archive, "z.wav", b"z")
    assert summary([path], root=tmp_path) == [
        ("file", "a.wav", b"a"),
        ("error", "evil.tar!sym.wav", "symbolic link not followed"),
        ("error", "evil.tar!hard.wav", "hard link not followed"),
        ("error", "evil.tar!dev", "not a regular file"),
        ("error", "evil.tar!pipe", "not a regular file"),
        ("error", "evil.tar!/abs.wav", "absolute path in archive"),
        ("file", "z.wav", b"z"),
    ]


def test_zip_symlink_and_encrypted_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        link = zipfile.ZipInfo("link.wav")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("secret.wav", b"s")
        archive.writestr("ok.wav", b"o")
    path.write_bytes(patch_central(path.read_bytes(), "secret.wav", 8, 0x1))
    assert summary([path], root=tmp_path) == [
        ("error", "odd.zip!link.wav", "symbolic link not followed"),
        ("error", "odd.zip!secret.wav", "encrypted member not taken"),
        ("file", "ok.wav", b"o"),
    ]


def test_symlinks_on_disk_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.wav").write_bytes(b"s")
    drive = tmp_path / "drive"
    drive.mkdir()
    (drive / "a.wav").write_bytes(b"a")
    os.symlink(outside / "secret.wav", drive / "b.wav")
    os.symlink(outside, drive / "c")
    os.mkfifo(drive / "d.fifo")
    assert summary([drive, drive / "b.wav"], root=tmp_path) == [
        ("file", "a.wav", b"a"),
        ("error", "drive/b.wav", "symbolic link not followed"),
        ("error", "drive/c", "symbolic link not followed"),
        ("error", "drive/d.fifo", "not a regular file"),
        ("error", "drive/b.wav", "symbolic link not followed"),
    ]


def test_file_replaced_by_a_symlink_after_listing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"s")
    (tmp_path / "a.wav").write_bytes(b"a")
    [source] = iter_sources([tmp_path / "a.wav"])
    assert isinstance(source, SourceFile)
    (tmp_path / "a.wav").unlink()
    os.symlink(tmp_path / "secret", tmp_path / "a.wav")
    with pytest.raises(InputError, match="cannot be opened"):
        source.open()


def test_archive_with_too_many_members_stops_with_one_error(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "many.zip", {f"{i}.wav": b"x" for i in range(5)})
    assert summary([archive], Limits(max_entries=3), root=tmp_path) == [
        ("file", "0.wav", b"x"),
        ("file", "1.wav", b"x"),
        ("file", "2.wav", b"x"),
        ("error", "many.zip", "more than 3 members; rest not read"),
    ]


def test_archive_declaring_too_many_bytes_stops_with_one_error(tmp_path: Path) -> None:
    path = tmp_path / "big.tar"
    with tarfile.open(path, "w") as archive:
        for name in ["a.wav", "b.wav", "c.wav"]:
            add_tar(archive, name, b"0123456789")
    assert summary([path], Limits(max_archive_bytes=25), root=tmp_path) == [
        ("file", "a.wav", b"0123456789"),
        ("file", "b.wav", b"0123456789"),
        ("error", "big.tar", "members declare more than 25 bytes in all; rest not read"),
    ]


def test_files_over_max_file_bytes_are_refused(tmp_path: Path) -> None:
    make_zip(tmp_path / "a.zip", {"small.wav": b"123", "large.wav": b"0123456789"})
    (tmp_path / "b.wav").write_bytes(b"0123456789")
    (tmp_path / "c.wav").write_bytes(b"12345")
    assert summary([tmp_path], Limits(max_file_bytes=5), root=tmp_path) == [
        ("file", "small.wav", b"123"),
        ("error", "a.zip!large.wav", "10 bytes is over the limit of 5 bytes"),
        ("error", "b.wav", "10 bytes is over the limit of 5 bytes"),
        ("file", "c.wav", b"12345"),
    ]


def _lying(data: bytes, declared: int) -> io.BufferedReader:
    def open_raw(stack: ExitStack) -> IO[bytes]:
        return stack.enter_context(io.BytesIO(data))

    return sources._opener("calls.zip!a.wav", declared, Limits(), open_raw)()


def test_stream_delivering_more_than_declared_is_cut_off() -> None:
    with _lying(b"0123456789", 4) as stream:
        assert stream.read(4) == b"0123"
        with pytest.raises(InputError, match="holds more than its declared 4 bytes") as caught:
            stream.read()
    assert caught.value.path == "calls.zip!a.wav"
    with _lying(b"0123456789", 4) as stream, pytest.raises(InputError):
        stream.read()


def test_stream_delivering_less_than_declared_is_an_error() -> None:
    with _lying(b"012", 4) as stream:
        with pytest.raises(InputError, match="ended after 3 of its declared 4 bytes"):
            stream.read()


def test_file_that_grows_after_listing_is_cut_off(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(b"0123")
    [source] = iter_sources([tmp_path / "a.wav"])
    assert isinstance(source, SourceFile)
    with (tmp_path / "a.wav").open("ab") as grow:
        grow.write(b"more")
    with source.open() as stream, pytest.raises(InputError, match="more than its declared 4"):
        stream.read()


def test_zip_member_with_a_lying_size_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "lie.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.wav", b"A" * 100)
    path.write_bytes(patch_central(path.read_bytes(), "a.wav", 24, 10))
    [source] = iter_sources([path])
    assert isinstance(source, SourceFile) and source.size == 10
    with source.open() as stream, pytest.raises(InputError, match="unreadable: Bad CRC-32"):
        stream.read()


def test_corrupt_zip_is_one_error(tmp_path: Path) -> None:
    data = make_zip(tmp_path / "ok.zip", {"a.wav": b"a"}).read_bytes()
    central = data.index(b"PK\x01\x02")
    (tmp_path / "bad.zip").write_bytes(data[:central] + b"XXXX" + data[central + 4 :])
    assert summary([tmp_path / "bad.zip"], root=tmp_path) == [
        ("error", "bad.zip", "unreadable archive: Bad magic number for central directory"),
    ]


def test_truncated_tar_gz_gives_the_members_before_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "cut.tar.gz"
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        add_tar(archive, "a.wav", b"a")
        add_tar(archive, "b.wav", os.urandom(200_000))
        add_tar(archive, "c.wav", b"c")
    path.write_bytes(path.read_bytes()[:100_000])
    found = list(iter_sources([path]))
    assert [type(item) for item in found] == [SourceFile, SourceFile, InputError]
    assert isinstance(found[2], InputError) and found[2].path == str(path)
    assert found[2].reason.startswith("unreadable archive: ")
    damaged = found[1]
    assert isinstance(damaged, SourceFile)
    with damaged.open() as stream, pytest.raises(InputError, match="cut.tar.gz!b.wav"):
        stream.read()


def test_nested_archives_are_not_expanded(tmp_path: Path) -> None:
    inner = make_zip(tmp_path / "inner.zip", {"x.wav": b"x"}).read_bytes()
    outer = make_zip(
        tmp_path / "outer.zip", {"a.wav": b"a", "more.zip": inner, "day2.TAR.GZ": b"t"}
    )
    reason = "nested archive not expanded; extract it and ingest the folder"
    assert summary([outer], root=tmp_path) == [
        ("file", "a.wav", b"a"),
        ("error", "outer.zip!more.zip", reason),
        ("error", "outer.zip!day2.TAR.GZ", reason),
    ]


def test_missing_path_is_an_error_and_the_rest_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(b"a")
    assert summary([tmp_path / "gone", tmp_path / "a.wav"], root=tmp_path) == [
        ("error", "gone", "does not exist"),
        ("file", "a.wav", b"a"),
    ]


def test_os_clutter_is_skipped_silently(tmp_path: Path) -> None:
    for name in [".DS_Store", "Thumbs.db", "desktop.ini", "._a.wav", "__MACOSX/x.wav", "a.wav"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"a")
    make_zip(
        tmp_path / "b.zip",
        {"__MACOSX/._b.wav": b"m", "day1/.DS_Store": b"m", "day1/THUMBS.DB": b"m", "b.wav": b"b"},
    )
    assert summary([tmp_path, tmp_path / "Thumbs.db"]) == [
        ("file", "a.wav", b"a"),
        ("file", "b.wav", b"b"),
    ]


def test_empty_file_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "silence.wav").write_bytes(b"")
    assert summary([tmp_path]) == [("file", "silence.wav", b"")]


def test_audio_holding_a_zip_end_record_by_chance_is_a_plain_file(tmp_path: Path) -> None:
    data = b"ID3" + os.urandom(5000) + b"PK\x05\x06" + bytes(18) + os.urandom(500)
    (tmp_path / "call.mp3").write_bytes(data)
    assert zipfile.is_zipfile(tmp_path / "call.mp3")
    assert summary([tmp_path]) == [("file", "call.mp3", data)]

"""List the members of a ZIP or TAR archive, each with a way to open it.

The archive is opened once and shared by its members while the walk is inside
it: reopening a 20,000-member ZIP for each member re-reads its whole central
directory every time (6.7 members/s). A member opened after the walk has moved
on reopens the archive, so sources stay valid in any order.

A ZIP may flag its names as UTF-8 (general-purpose bit 11) and hold bytes that
are not; ``zipfile`` then refuses the whole archive. Such an archive is read a
second time through ``_Utf8FlagOff``, which clears the flag as ``zipfile`` reads
the central directory and each local header, so names come through as code page
437 (one character per byte), from which the raw bytes are recovered and decoded
as UTF-8 with surrogate escapes (PEP 383), as ``os.scandir`` and ``tarfile`` give
undecodable names. The store shows such names escaped and keeps the bytes.
"""

from __future__ import annotations

import io
import stat
import struct
import tarfile
import zipfile
from collections.abc import Callable, Generator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["Member", "archive_kind", "tar_members", "zip_members"]

_UTF8_FLAG = 0x800
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")  # gzip, bzip2, xz: maybe a TAR inside


def archive_kind(path: Path) -> str | None:
    """``"tar"`` or ``"zip"`` if the file is one (by its content, whatever its name), else None.

    The first 512 bytes are read once and only a file that may be an archive
    is handed to ``tarfile`` or ``zipfile`` to make sure: asking ``tarfile``
    of every recording (it opens the file four times, once per compression)
    took a third of an ingest of small files.
    """
    with open(path, "rb") as stream:
        head = stream.read(512)
    maybe_tar = head.startswith(_COMPRESSED) or _tar_header(head)
    if maybe_tar and tarfile.is_tarfile(path):
        return "tar"
    # is_zipfile looks only for an end record in the last 64 KiB, which compressed audio
    # holds by chance about once in 65,000 files; a ZIP made to be read also starts "PK".
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        return "zip"
    return None


def _tar_header(block: bytes) -> bool:
    """Whether ``block`` could be a TAR header: its checksum field holds its checksum, as
    ``tarfile`` checks it (sum of the bytes, the field counted as spaces)."""
    if len(block) < 512:
        return False
    field = block[148:156]
    if field[0] in (0x80, 0xFF):  # base-256: rare, let tarfile judge
        return True
    try:
        stored = int(field.split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        return False
    rest = block[:148] + block[156:512]
    signed = sum(b - 256 if b > 127 else b for b in rest)
    return stored in (sum(rest) + 256, signed + 256)


@dataclass(frozen=True)
class Member:
    """One archive entry as its container describes it, before any check.

    ``packed`` is the compressed size the container declares for this member
    alone (ZIP), or ``None`` where members are compressed together (TAR).
    """

    name: str
    size: int
    packed: int | None
    is_dir: bool
    refusal: str | None  # why the container's own metadata rules it out
    open_raw: Callable[[ExitStack], IO[bytes]]


def zip_members(path: Path) -> Generator[Member, None, None]:
    """The members of a ZIP, in central directory order."""
    with ExitStack() as stack:
        try:
            archive, flagged = _enter_zip(stack, path, utf8_off=False)
        except UnicodeDecodeError:
            archive, flagged = _enter_zip(stack, path, utf8_off=True)
        utf8_off = flagged is not None
        live = [archive]
        try:
            for number, info in enumerate(archive.infolist()):
                yield _zip_member(path, info, live, utf8_off, bool(flagged and flagged[number]))
        finally:
            live.clear()


def _zip_member(
    path: Path, info: zipfile.ZipInfo, live: list[zipfile.ZipFile], utf8_off: bool, flagged: bool
) -> Member:
    kind = stat.S_IFMT(info.external_attr >> 16)
    refusal = None
    if info.flag_bits & 0x1:
        refusal = "encrypted member not taken"
    elif kind == stat.S_IFLNK:
        refusal = "symbolic link not followed"
    elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        refusal = "not a regular file"
    name = info.orig_filename
    if flagged:
        name = name.encode("cp437").decode("utf-8", "surrogateescape")

    def open_raw(stack: ExitStack) -> IO[bytes]:
        archive = live[0] if live else _enter_zip(stack, path, utf8_off)[0]
        return stack.enter_context(archive.open(info))

    is_dir = info.is_dir() or kind == stat.S_IFDIR
    return Member(name, info.file_size, info.compress_size, is_dir, refusal, open_raw)


def _enter_zip(
    stack: ExitStack, path: Path, utf8_off: bool
) -> tuple[zipfile.ZipFile, list[bool] | None]:
    if not utf8_off:
        return stack.enter_context(zipfile.ZipFile(path)), None
    raw = stack.enter_context(_Utf8FlagOff(path))
    return stack.enter_context(zipfile.ZipFile(raw)), raw.flagged


class _Utf8FlagOff(io.FileIO):
    """A ZIP file read with bit 11 cleared in its central directory and local headers.

    ``zipfile`` reads the central directory in one read and each local header
    as one 30-byte read; a read is changed only when it parses as exactly that,
    so member data passes untouched. ``flagged`` says, in central directory
    order, which names carried the flag.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, "rb")
        self.flagged: list[bool] = []

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if len(data) == 30 and data[:4] == b"PK\x03\x04":
            return _flag_off(data, [6])
        if data[:4] == b"PK\x01\x02":
            at, flags = 0, []
            while at + 46 <= len(data) and data[at : at + 4] == b"PK\x01\x02":
                flags.append(at + 8)
                at += 46 + sum(struct.unpack_from("<HHH", data, at + 28))
            if at == len(data):
                self.flagged = [
                    bool(struct.unpack_from("<H", data, f)[0] & _UTF8_FLAG) for f in flags
                ]
                return _flag_off(data, flags)
        return data


def _flag_off(data: bytes, offsets: list[int]) -> bytes:
    out = bytearray(data)
    for offset in offsets:
        (flags,) = struct.unpack_from("<H", out, offset)
        struct.pack_into("<H", out, offset, flags & ~_UTF8_FLAG)
    return bytes(out)


def tar_members(path: Path) -> Generator[Member, None, None]:
    """The members of a TAR (compressed or not), in order."""
    with tarfile.open(path) as archive:
        live = [archive]
        try:
            while (info := archive.next()) is not None:
                # tarfile keeps every member it read (an attribute typeshed leaves out); a
                # member is opened by its own TarInfo (links, the one need of that list,
                # are refused), so let go: memory stays flat however many members.
                archive.members.clear()  # type: ignore[attr-defined]
                yield _tar_member(path, info, live)
        finally:
            live.clear()


def _tar_member(path: Path, info: tarfile.TarInfo, live: list[tarfile.TarFile]) -> Member:
    refusal = None
    if info.issym():
        refusal = "symbolic link not followed"
    elif info.islnk():
        refusal = "hard link not followed"
    elif not info.isreg() and not info.isdir():
        refusal = "not a regular file"

    def open_raw(stack: ExitStack) -> IO[bytes]:
        archive = live[0] if live else stack.enter_context(tarfile.open(path))
        member = archive.extractfile(info)
        assert member is not None  # extractfile gives None only for non-regular members
        return stack.enter_context(member)

    return Member(info.name, info.size, None, info.isdir(), refusal, open_raw)

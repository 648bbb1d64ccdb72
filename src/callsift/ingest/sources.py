"""Find the files to ingest: plain files, folders, and ZIP or TAR archives.

Input comes from seized drives and may be hostile, so nothing here trusts a name,
a link or a declared size. Archives are read in place, never extracted, yet member
names that would escape a folder (absolute, ``..``, drive letters) are refused so
the custody log never records a path outside the evidence. Links are never
followed: they can point at the investigator's own files. Every stream stops at
the size declared when it was listed, so a zip bomb or a file swapped since cannot
deliver more than was counted. Each bad entry becomes one ``InputError`` and the
walk goes on: one broken member never costs the rest of the drive.

A member's ``open()`` reopens its archive, so sources stay valid in any order and
after the walk ends. For a compressed tar that means decompressing up to the member
each time: extract a large ``.tar.gz`` first.
"""

from __future__ import annotations

import io
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from callsift.errors import InputError
from callsift.records import SourceFile

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["Limits", "iter_sources"]


@dataclass(frozen=True)
class Limits:
    """Sizes past which input is refused rather than read.

    Attributes:
        max_file_bytes: largest file on disk or archive member taken, in bytes.
        max_entries: most members read from one archive; past it the rest of
            the archive is refused with one error.
        max_archive_bytes: most uncompressed bytes the members of one archive
            may declare in all; past it the rest of the archive is refused.
    """

    max_file_bytes: int = 4 * 1024**3
    max_entries: int = 100_000
    max_archive_bytes: int = 200 * 1024**3


# Errors that mean "this input is bad", not a bug in callsift.
_BAD_DATA: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)
_BAD_DATA += (zipfile.BadZipFile, tarfile.TarError, NotImplementedError)  # zip method unknown
_CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz")
_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def iter_sources(
    paths: Iterable[Path], limits: Limits = Limits()
) -> Iterator[SourceFile | InputError]:
    """Yield every file under ``paths`` as a ``SourceFile``, or an ``InputError`` for each
    thing that cannot be taken; the caller records the error and goes on.

    A folder is walked in sorted order, a ZIP or TAR archive (found by content)
    yields its members; members' ``name`` is their path inside the archive and
    their ``origin`` is ``"<archive>!<member>"``. OS clutter (``.DS_Store``,
    ``Thumbs.db``, ``desktop.ini``, ``__MACOSX/``, ``._*``) is skipped silently.
    """
    for given in paths:
        path = given.absolute()
        if _is_clutter([path.name]):
            continue
        try:
            st = path.lstat()
        except OSError as exc:
            missing = isinstance(exc, FileNotFoundError)
            yield InputError(
                str(path), "does not exist" if missing else f"cannot be read: {_why(exc)}"
            )
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, limits)
        else:
            yield from _file_sources(path, path.name, st, limits)


def _walk(root: Path, limits: Limits) -> Iterator[SourceFile | InputError]:
    # An explicit stack rather than recursion: a hostile drive can nest folders
    # deeper than Python's recursion limit.
    stack: list[Iterator[os.DirEntry[str]]] = []
    folder: Path | None = root
    while folder is not None or stack:
        if folder is not None:
            try:
                with os.scandir(folder) as entries:
                    stack.append(iter(sorted(entries, key=lambda entry: entry.name)))
            except OSError as exc:
                yield InputError(str(folder), f"folder cannot be read: {_why(exc)}")
            folder = None
            continue
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if _is_clutter([entry.name]):
            continue
        path = Path(entry.path)
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield InputError(str(path), f"cannot be read: {_why(exc)}")
            continue
        if stat.S_ISDIR(st.st_mode):
            folder = path
        else:
            yield from _file_sources(path, path.relative_to(root).as_posix(), st, limits)


def _file_sources(
    path: Path, name: str, st: os.stat_result, limits: Limits
) -> Iterator[SourceFile | InputError]:
    origin = str(path)
    if stat.S_ISLNK(st.st_mode):
        yield InputError(origin, "symbolic link not followed")
        return
    if not stat.S_ISREG(st.st_mode):
        yield InputError(origin, "not a regular file")
        return
    try:
        is_tar = tarfile.is_tarfile(path)
        is_zip = not is_tar and _is_zip(path)
    except _BAD_DATA as exc:
        yield InputError(origin, f"cannot be read: {_why(exc)}")
        return
    if is_tar:
        yield from _archive_sources(origin, _tar_members(path), limits)
    elif is_zip:
        yield from _archive_sources(origin, _zip_members(path), limits)
    elif st.st_size > limits.max_file_bytes:
        yield InputError(origin, _too_big(st.st_size, limits))
    else:

        def open_raw(stack: ExitStack) -> IO[bytes]:
            # A regular file when listed: refuse it if a link has taken its place since.
            nofollow = getattr(os, "O_NOFOLLOW", 0)  # POSIX only
            return stack.enter_context(
                open(path, "rb", opener=lambda p, f: os.open(p, f | nofollow))
            )

        yield SourceFile(name, origin, st.st_size, _opener(origin, st.st_size, limits, open_raw))


def _is_zip(path: Path) -> bool:
    # is_zipfile looks only for an end record in the last 64 KiB, which compressed audio
    # holds by chance about once in 65,000 files; a ZIP made to be read also starts "PK".
    with open(path, "rb") as head:
        return head.read(2) == b"PK" and zipfile.is_zipfile(path)


@dataclass(frozen=True)
class _Member:
    """One archive entry as its container describes it, before any check."""

    name: str
    size: int
    is_dir: bool
    refusal: str | None  # why the container's own metadata rules it out
    open_raw: Callable[[ExitStack], IO[bytes]]


def _zip_members(path: Path) -> Generator[_Member, None, None]:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    for info in infos:
        kind = stat.S_IFMT(info.external_attr >> 16)
        refusal = None
        if info.flag_bits & 0x1:
            refusal = "encrypted member not taken"
        elif kind == stat.S_IFLNK:
            refusal = "symbolic link not followed"
        elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            refusal = "not a regular file"

        def open_raw(stack: ExitStack, info: zipfile.ZipInfo = info) -> IO[bytes]:
            archive = stack.enter_context(zipfile.ZipFile(path))
            return stack.enter_context(archive.open(info))

        is_dir = info.is_dir() or kind == stat.S_IFDIR
        yield _Member(info.filename, info.file_size, is_dir, refusal, open_raw)


def _tar_members(path: Path) -> Generator[_Member, None, None]:
    with tarfile.open(path) as archive:
        for info in archive:
            refusal = None
            if info.issym():
                refusal = "symbolic link not followed"
            elif info.islnk():
                refusal = "hard link not followed"
            elif not info.isreg() and not info.isdir():
                refusal = "not a regular file"

            def open_raw(stack: ExitStack, info: tarfile.TarInfo = info) -> IO[bytes]:
                member = stack.enter_context(tarfile.open(path)).extractfile(info)
                assert member is not None  # extractfile gives None only for non-regular members
                return stack.enter_context(member)

            yield _Member(info.name, info.size, info.isdir(), refusal, open_raw)


def _archive_sources(
    archive: str, members: Generator[_Member, None, None], limits: Limits
) -> Iterator[SourceFile | InputError]:
    count = total = 0
    try:
        with closing(members):
            for member in members:
                count += 1
                total += max(member.size, 0)
                if count > limits.max_entries:
                    yield InputError(
                        archive, f"more than {limits.max_entries} members; rest not read"
                    )
                    return
                if total > limits.max_archive_bytes:
                    reason = f"members declare more than {limits.max_archive_bytes} bytes in all"
                    yield InputError(archive, f"{reason}; rest not read")
                    return
                source = _member_source(archive, member, limits)
                if source is not None:
                    yield source
    except _BAD_DATA as exc:
        yield InputError(archive, f"unreadable archive: {_why(exc)}")


def _member_source(archive: str, member: _Member, limits: Limits) -> SourceFile | InputError | None:
    origin = f"{archive}!{member.name}"
    name = member.name.replace("\\", "/")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if name.startswith("/"):
        return InputError(origin, "absolute path in archive")
    if _DRIVE.match(name):
        return InputError(origin, "drive letter in archive path")
    if ".." in parts:
        return InputError(origin, "'..' in archive path")
    if member.is_dir:
        return None
    if not parts:
        return InputError(origin, "member has no name")
    if _CONTROL.search(name):
        return InputError(origin, "control character in member name")
    if _is_clutter(parts):
        return None
    if member.refusal is not None:
        return InputError(origin, member.refusal)
    if name.lower().endswith(_ARCHIVE_SUFFIXES):
        return InputError(origin, "nested archive not expanded; extract it and ingest the folder")
    if member.size < 0:
        return InputError(origin, "declares a negative size")
    if member.size > limits.max_file_bytes:
        return InputError(origin, _too_big(member.size, limits))
    opener = _opener(origin, member.size, limits, member.open_raw)
    return SourceFile("/".join(parts), origin, member.size, opener)


def _opener(
    origin: str, size: int, limits: Limits, open_raw: Callable[[ExitStack], IO[bytes]]
) -> Callable[[], io.BufferedReader]:
    def open_source() -> io.BufferedReader:
        with ExitStack() as stack:
            try:
                raw = open_raw(stack)
            except _BAD_DATA as exc:
                raise InputError(origin, f"cannot be opened: {_why(exc)}") from exc
            bounded = _Bounded(raw, stack.pop_all(), origin, min(size, limits.max_file_bytes))
            return io.BufferedReader(bounded)

    return open_source


class _Bounded(io.RawIOBase):
    """Delivers exactly ``size`` bytes of ``raw``; more or fewer raises ``InputError``.

    Read errors of the container (bad CRC, truncated data) become ``InputError``
    too, so a caller that streams the bytes needs to catch only that.
    """

    def __init__(self, raw: IO[bytes], resources: ExitStack, origin: str, size: int) -> None:
        super().__init__()
        self._raw = raw
        self._resources = resources
        self._origin = origin
        self._size = size
        self._done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer)
        left = self._size - self._done
        try:
            # At the declared end, ask for one more byte to catch a stream that lies.
            data = self._raw.read(min(len(view), left) if left else 1)
        except _BAD_DATA as exc:
            raise InputError(self._origin, f"unreadable: {_why(exc)}") from exc
        if not left:
            if data:
                raise InputError(self._origin, f"holds more than its declared {self._size} bytes")
            return 0
        if not data:
            declared = f"{self._done} of its declared {self._size} bytes"
            raise InputError(self._origin, f"ended after {declared}")
        view[: len(data)] = data
        self._done += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._resources.close()
        super().close()


def _is_clutter(parts: list[str]) -> bool:
    last = parts[-1]
    return "__MACOSX" in parts or last.lower() in _CLUTTER or last.startswith("._")


def _too_big(size: int, limits: Limits) -> str:
    return f"{size} bytes is over the limit of {limits.max_file_bytes} bytes"


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__

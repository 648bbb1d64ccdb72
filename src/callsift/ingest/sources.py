"""Find the files to ingest: plain files, folders, and ZIP or TAR archives.

Input comes from seized drives and may be hostile, so nothing here trusts a name,
a link or a declared size. Archives are read in place, never extracted, yet member
names that would escape a folder (absolute, ``..``, drive letters) are refused so
the custody log never records a path outside the evidence. Links are never
followed: they can point at the investigator's own files. Every stream stops at
the size declared when it was listed, so a file swapped since cannot deliver more
than was counted; and the bytes an archive's members actually deliver are counted
against the archive's size on disk (``Limits.max_ratio``), so a zip bomb is cut off
whatever its headers declare. Each bad entry becomes one ``InputError`` and the
walk goes on: one broken member never costs the rest of the drive.

Names are ``str``; bytes that are not UTF-8 come through as surrogate escapes
(PEP 383) and the store shows them escaped (see ``callsift.store.names``).
Archives are read by ``callsift.ingest.archives``: once per archive while the
walk is in it, reopened for a member opened later.

Each source carries a fingerprint of how it looks (device, inode, size,
modification and change times; a member: its archive's, its place and sizes).
Given ``unchanged``, a file or member the case says it took in looking just so
is yielded as ``Unchanged``, before anything of it is read: a run resumed after
a kill passes over what is done at the speed of ``stat``.
"""

from __future__ import annotations

import functools
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
from callsift.ingest.archives import Member, archive_kind, tar_members, zip_members
from callsift.records import SourceFile

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["Limits", "Unchanged", "iter_sources"]


@dataclass(frozen=True)
class Limits:
    """Sizes past which input is refused rather than read.

    Attributes:
        max_file_bytes: largest file on disk or archive member taken, in bytes.
        max_entries: most members read from one archive; past it the rest of
            the archive is refused with one error.
        max_archive_bytes: most uncompressed bytes the members of one archive
            may declare in all; past it the rest of the archive is refused.
        max_ratio: most bytes a ZIP member may expand to per compressed byte,
            and an archive's members in all per byte of the archive on disk,
            counted as they are decompressed. Compressed audio does not shrink
            and speech in WAV shrinks about 1.2 times (the demo corpus zipped:
            1.13 in all, 2.6 at most); only digital silence deflates near the
            format's ceiling of about 1,000.
        ratio_grace_bytes: bytes a member, or an archive in all, may deliver
            before ``max_ratio`` applies, so an hour of recorded silence (58 MB
            at 8 kHz) still comes in.
    """

    max_file_bytes: int = 4 * 1024**3
    max_entries: int = 100_000
    max_archive_bytes: int = 200 * 1024**3
    max_ratio: int = 100
    ratio_grace_bytes: int = 256 * 1024**2


@dataclass(frozen=True)
class Unchanged:
    """A source the case already took in, looking as it does now: not read again."""

    origin: str


Known = Callable[[str, str], bool]
"""``known(origin, fingerprint)``: whether the case took this in looking so."""

# Errors that mean "this input is bad", not a bug in callsift.
_BAD_DATA: tuple[type[Exception], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)
_BAD_DATA += (zipfile.BadZipFile, tarfile.TarError, NotImplementedError)  # zip method unknown
_BAD_DATA += (UnicodeDecodeError,)  # a local header's name no longer decodes
_CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz")
_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def iter_sources(
    paths: Iterable[Path], limits: Limits = Limits(), unchanged: Known | None = None
) -> Iterator[SourceFile | InputError | Unchanged]:
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
            yield from _walk(path, limits, unchanged)
        else:
            yield from _file_sources(path, path.name, st, limits, unchanged)


def _walk(
    root: Path, limits: Limits, unchanged: Known | None
) -> Iterator[SourceFile | InputError | Unchanged]:
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
            name = path.relative_to(root).as_posix()
            yield from _file_sources(path, name, st, limits, unchanged)


def _file_sources(
    path: Path, name: str, st: os.stat_result, limits: Limits, unchanged: Known | None
) -> Iterator[SourceFile | InputError | Unchanged]:
    origin = str(path)
    if stat.S_ISLNK(st.st_mode):
        yield InputError(origin, "symbolic link not followed")
        return
    if not stat.S_ISREG(st.st_mode):
        yield InputError(origin, "not a regular file")
        return
    looks = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    if unchanged is not None and unchanged(origin, looks):
        yield Unchanged(origin)
        return
    try:
        kind = archive_kind(path)
        is_tar, is_zip = kind == "tar", kind == "zip"
    except _BAD_DATA as exc:
        yield InputError(origin, f"cannot be read: {_why(exc)}")
        return
    if is_tar or is_zip:
        members = tar_members(path) if is_tar else zip_members(path)
        yield from _archive_sources(origin, st.st_size, members, limits, (looks, unchanged))
    elif st.st_size > limits.max_file_bytes:
        yield InputError(origin, _too_big(st.st_size, limits))
    else:

        def open_raw(stack: ExitStack) -> IO[bytes]:
            # A regular file when listed: refuse it if a link has taken its place since.
            nofollow = getattr(os, "O_NOFOLLOW", 0)  # POSIX only
            return stack.enter_context(
                open(path, "rb", opener=lambda p, f: os.open(p, f | nofollow))
            )

        opener = _opener(origin, st.st_size, limits, open_raw)
        yield SourceFile(name, origin, st.st_size, opener, looks)


def _archive_sources(
    archive: str,
    size: int,
    members: Generator[Member, None, None],
    limits: Limits,
    seen: tuple[str, Known | None],
) -> Iterator[SourceFile | InputError | Unchanged]:
    count = total = 0
    expansion = _Expansion(archive, size, limits)
    try:
        with closing(members):
            for member in members:
                if expansion.exceeded:
                    yield InputError(archive, f"{expansion.exceeded}; rest not read")
                    return
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
                # Its place too: two members may have one name.
                looks = f"{seen[0]}!{count}:{member.size}:{member.packed}"
                source = _member_source(archive, member, limits, expansion, (looks, seen[1]))
                if source is not None:
                    yield source
    except _BAD_DATA as exc:
        yield InputError(archive, f"unreadable archive: {_why(exc)}")


def _member_source(
    archive: str,
    member: Member,
    limits: Limits,
    expansion: _Expansion,
    seen: tuple[str, Known | None],
) -> SourceFile | InputError | Unchanged | None:
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
    looks, unchanged = seen
    if unchanged is not None and unchanged(origin, looks):
        return Unchanged(origin)
    count = functools.partial(expansion.count, origin, member.packed)
    opener = _opener(origin, member.size, limits, member.open_raw, count)
    return SourceFile("/".join(parts), origin, member.size, opener, looks)


def _opener(
    origin: str,
    size: int,
    limits: Limits,
    open_raw: Callable[[ExitStack], IO[bytes]],
    count: Callable[[int, int], None] | None = None,
) -> Callable[[], io.BufferedReader]:
    def open_source() -> io.BufferedReader:
        with ExitStack() as stack:
            try:
                raw = open_raw(stack)
            except _BAD_DATA as exc:
                raise InputError(origin, f"cannot be opened: {_why(exc)}") from exc
            limit = min(size, limits.max_file_bytes)
            return io.BufferedReader(_Bounded(raw, stack.pop_all(), origin, limit, count))

    return open_source


class _Expansion:
    """Bytes one archive's members have delivered, held against ``Limits.max_ratio``.

    Counted as members are read, never taken from headers: a member's declared
    compressed size is checked with its delivered bytes, and the archive's total
    with its size on disk, which no header can change.
    """

    def __init__(self, archive: str, size: int, limits: Limits) -> None:
        self._archive = archive
        self._size = size
        self._limits = limits
        self._delivered = 0
        self.exceeded = ""  # why the rest of the archive is not read

    def count(self, origin: str, packed: int | None, done: int, more: int) -> None:
        """Count ``more`` bytes from ``origin`` (``done`` in all so far); raise past a cap."""
        ratio, grace = self._limits.max_ratio, self._limits.ratio_grace_bytes
        self._delivered += more
        if packed is not None and done > max(grace, ratio * packed):
            raise InputError(
                origin,
                f"expands more than {ratio} times ({done} bytes so far from {packed}"
                " compressed): refused as a likely zip bomb; if it is genuine,"
                " extract the archive and ingest the folder",
            )
        if self._delivered > max(grace, ratio * self._size):
            self.exceeded = (
                f"members expand more than {ratio} times the archive's {self._size} bytes"
            )
            raise InputError(origin, f"{self.exceeded}: refused as a likely zip bomb")


class _Bounded(io.RawIOBase):
    """Delivers exactly ``size`` bytes of ``raw``; more or fewer raises ``InputError``.

    Read errors of the container (bad CRC, truncated data) become ``InputError``
    too, so a caller that streams the bytes needs to catch only that.
    """

    def __init__(
        self,
        raw: IO[bytes],
        resources: ExitStack,
        origin: str,
        size: int,
        count: Callable[[int, int], None] | None,
    ) -> None:
        super().__init__()
        self._raw = raw
        self._resources = resources
        self._origin = origin
        self._size = size
        self._count = count
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
        self._done += len(data)
        if self._count is not None:
            self._count(self._done, len(data))
        view[: len(data)] = data
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

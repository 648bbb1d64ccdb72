"""Hostile archives, built fresh, and what ``callsift ingest`` makes of each.

``build(folder)`` writes archives a seized drive may hold, by accident or on
purpose: names flagged UTF-8 that are not, a TAR of cp1251 names, a zip bomb
(one member about 1,000 to 1) and one made of many small members, thousands
of members, names that climb out of the folder, links in a TAR, archives inside
an archive. ``main()`` ingests each into one temporary case and prints a line
per archive: what came in and what was refused, with the reasons. It takes
well under a minute; the soak benchmark reuses ``build``.

Run: ``.venv/bin/python benchmarks/hostile_archives.py [--members 2000]``
"""

from __future__ import annotations

import argparse
import io
import re
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from callsift.ingest.run import ingest_paths
from callsift.store import CaseStore

__all__ = ["build", "main"]

_MiB = 1024 * 1024


def build(folder: Path, members: int = 2000) -> list[Path]:
    """Write the hostile archives into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        _bad_utf8_zip(folder / "names-flagged-utf8.zip"),
        _cp1251_tar(folder / "names-cp1251.tar"),
        _bomb(folder / "bomb-one-member.zip", count=1, each=512 * _MiB),
        _bomb(folder / "bomb-many-members.zip", count=400, each=_MiB),
        _many(folder / f"many-{members}-members.zip", members),
        _traversal(folder / "path-traversal.zip"),
        _links(folder / "links.tar"),
        _nested(folder / "nested.zip"),
    ]


def _bad_utf8_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ok.wav", b"ok")
        archive.writestr("zé.wav", b"flagged")  # non-ASCII: written with the UTF-8 flag
    # The same length in bytes, no longer UTF-8, in the local header and the central directory.
    path.write_bytes(path.read_bytes().replace("zé.wav".encode(), b"z\xff\xfe.wav"))
    return path


def _cp1251_tar(path: Path) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as archive:
        for name in ["Буча.wav", "Ірпінь/дзвінок.wav"]:
            raw = name.encode("cp1251").decode("utf-8", "surrogateescape")
            _add(archive, raw, name.encode())
    return path


def _bomb(path: Path, count: int, each: int) -> Path:
    zeros = bytes(_MiB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number in range(count):
            with archive.open(f"silence-{number:04}.wav", "w", force_zip64=True) as member:
                for _ in range(each // _MiB):
                    member.write(zeros)
    return path


def _many(path: Path, members: int) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(members):
            archive.writestr(f"day{number // 1000:02}/call-{number:05}.wav", number.to_bytes(4))
    return path


def _traversal(path: Path) -> Path:
    names = ["../../etc/cron.d/x", "/etc/passwd", "C:/Windows/x.wav", "a/../../x.wav", "ok.wav"]
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, name.encode())
    return path


def _links(path: Path) -> Path:
    with tarfile.open(path, "w") as archive:
        _add(archive, "ok.wav", b"ok")
        for kind, name, target in [
            (tarfile.SYMTYPE, "passwd.wav", "/etc/passwd"),
            (tarfile.SYMTYPE, "up.wav", "../../../../home"),
            (tarfile.LNKTYPE, "hard.wav", "ok.wav"),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            archive.addfile(info)
    return path


def _nested(path: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("inner.wav", b"inner")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("outer.wav", b"outer")
        archive.writestr("more.zip", inner.getvalue())
        archive.writestr("day2.tar.gz", b"not even a tar")
    return path


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000, help="members of the many-member ZIP")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        archives = build(Path(tmp) / "hostile", args.members)
        print(f"built {len(archives)} archives in {time.perf_counter() - started:.1f} s")
        with CaseStore(Path(tmp) / "case") as case:
            for archive in archives:
                started = time.perf_counter()
                report = ingest_paths(case, [archive])
                took = time.perf_counter() - started
                taken = report.new_calls + report.duplicates + report.already_known
                reasons = list(dict.fromkeys(_short(f.reason) for f in report.failures))
                verdict = "ingested" if taken else "refused"
                refused = f", {len(report.failures)} refused: {'; '.join(reasons[:3])}"
                print(
                    f"{archive.name} ({archive.stat().st_size:,} bytes): {verdict}"
                    f" {taken} in {took:.1f} s ({taken / took:,.0f}/s)"
                    f"{refused if report.failures else ''}"
                )


def _short(reason: str) -> str:
    # Reasons that count bytes differ per member: drop the counts.
    return re.sub(r" \([^)]*\)", "", reason)


if __name__ == "__main__":
    main()

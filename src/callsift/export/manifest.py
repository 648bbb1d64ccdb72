"""The package's manifest and seal, and the offline check that any changed byte fails.

Two layers make a package tamper-evident, and ``verify`` needs nothing but the
ZIP to check both:

* ``manifest.json`` lists every other member with its SHA-256 and size, so a
  changed, missing or added file is named.
* Each packaged original must hash to the SHA-256 recorded at ingest (the
  manifest's call entry), and the custody chain the package carries must hold
  together up to the head the manifest names (:mod:`callsift.export.chain`).
* The ZIP comment, the last field of the file, holds a seal:
  ``callsift-package sha256=<hex>``, the SHA-256 of every byte before it. The
  comment has a fixed length, so the seal is written after the rest of the
  file is final: ZIP headers, the central directory, the manifest and the
  comment's own length field are all covered. A changed byte anywhere, in a
  member or in the ZIP structure around them, breaks the seal or the seal
  itself no longer reads.

A seal is a checksum, not a signature: someone who edits a package on purpose
can write a new manifest and seal. What holds against that is the manifest's
SHA-256, which ``callsift export`` prints and logs in the case's custody log
for the team to record (``verify --expect`` compares it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import platform
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from callsift import __version__
from callsift.errors import ModelError
from callsift.export.chain import package_problems
from callsift.store.blobs import sha256_file
from callsift.transcribe import resolve_model

__all__ = [
    "FORMAT",
    "MANIFEST",
    "SEAL_PLACEHOLDER",
    "VerifyResult",
    "model_identity",
    "seal",
    "tool_versions",
    "verify_bytes",
    "verify_package",
]

FORMAT = "callsift-evidence-package"
MANIFEST = "manifest.json"
_SEAL_PREFIX = b"callsift-package sha256="
SEAL_PLACEHOLDER = _SEAL_PREFIX + b"0" * 64
"""Written as the ZIP comment, then replaced by :func:`seal` (same length)."""
_SEAL = re.compile(rb"callsift-package sha256=([0-9a-f]{64})\Z")
_EOCD = 22  # End-of-central-directory record without its comment.
_CHUNK = 1 << 20

_TOOLS = (
    "faster-whisper",
    "ctranslate2",
    "av",
    "numpy",
    "pymorphy3",
    "natasha",
    "phonenumbers",
    "resemblyzer",
    "torch",
)


def tool_versions() -> dict[str, str]:
    """Versions of callsift, Python and the libraries whose output a package holds."""
    versions = {"callsift": __version__, "python": platform.python_version()}
    for name in _TOOLS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def model_identity(name: str) -> dict[str, Any]:
    """The speech model's name and the SHA-256 of its weights (``model.bin``).

    The default model's weights are checked against pinned digests before every
    transcription, so the digest recorded is the one that made the transcript.
    A model folder named with ``--model`` is hashed as found at export time.
    """
    try:
        location = Path(resolve_model(name))
    except ModelError:
        return {"name": name, "sha256": None, "note": "model not found at export; not hashed"}
    weights = location / "model.bin"
    if not weights.is_file():
        return {"name": name, "sha256": None, "note": "a cached model name; not hashed"}
    return {"name": name, "sha256": sha256_file(weights)}


def seal(path: Path) -> str:
    """Write the seal into the placeholder comment of the ZIP at ``path``.

    Returns the SHA-256 of the whole sealed file.
    """
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size - len(SEAL_PLACEHOLDER))
        if handle.read() != SEAL_PLACEHOLDER:
            raise ValueError(f"{path}: no seal placeholder at the end of the ZIP")
        digest = _hash_prefix(handle, size - len(SEAL_PLACEHOLDER))
        comment = _SEAL_PREFIX + digest.hexdigest().encode("ascii")
        handle.seek(size - len(comment))
        handle.write(comment)
        handle.flush()
        os.fsync(handle.fileno())
    digest.update(comment)
    return digest.hexdigest()


def _hash_prefix(handle: IO[bytes], length: int) -> Any:
    digest = hashlib.sha256()
    handle.seek(0)
    left = length
    while left > 0:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    return digest


@dataclass
class VerifyResult:
    """What ``verify`` found.

    Attributes:
        ok: no problem: every byte is as written.
        problems: one line per problem, naming the member or part of the file.
        package_sha256: SHA-256 of the whole file as it is now.
        manifest_sha256: SHA-256 of ``manifest.json`` as it is now (``None``:
            not readable).
        call_ids: the calls the manifest lists.
        redacted: whether the manifest marks the package as redacted.
        files: members checked against the manifest.
    """

    ok: bool
    problems: list[str] = field(default_factory=list)
    package_sha256: str = ""
    manifest_sha256: str | None = None
    call_ids: list[int] = field(default_factory=list)
    redacted: bool | None = None
    files: int = 0


def verify_package(path: Path, expect: str | None = None) -> VerifyResult:
    """Check a package offline: its seal, and every member against the manifest.

    ``expect`` is the manifest SHA-256 recorded at export; when given, a
    package whose manifest hashes otherwise fails.
    """
    with open(path, "rb") as handle:
        return _verify(handle, os.fstat(handle.fileno()).st_size, expect)


def verify_bytes(data: bytes, expect: str | None = None) -> VerifyResult:
    """:func:`verify_package` over a package held in memory."""
    return _verify(io.BytesIO(data), len(data), expect)


def _verify(handle: IO[bytes], size: int, expect: str | None) -> VerifyResult:
    result = VerifyResult(ok=False)
    problems = result.problems
    digest = _hash_prefix(handle, max(0, size - len(SEAL_PLACEHOLDER)))
    comment = handle.read()
    whole = digest.copy()
    whole.update(comment)
    result.package_sha256 = whole.hexdigest()
    problems.extend(_seal_problems(handle, size, comment, digest.hexdigest()))
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except Exception as error:  # Hostile bytes can fail anywhere in zipfile; all are findings.
        problems.append(f"package: not a readable ZIP ({error})")
        return result
    with archive:
        _check_members(archive, result, expect)
    result.ok = not problems
    return result


def _seal_problems(handle: IO[bytes], size: int, comment: bytes, digest: str) -> list[str]:
    found = _SEAL.match(comment)
    if found is None:
        return ["package: no callsift seal in the ZIP comment (end of the file changed or cut)"]
    handle.seek(max(0, size - len(comment) - _EOCD))
    record = handle.read(_EOCD)
    if record[:4] != b"PK\x05\x06" or record[-2:] != len(comment).to_bytes(2, "little"):
        return ["package: the seal is not the ZIP comment (the end of the ZIP was changed)"]
    if found.group(1).decode("ascii") != digest:
        return ["package: its bytes differ from its seal: the file was changed after export"]
    return []


def _check_members(archive: zipfile.ZipFile, result: VerifyResult, expect: str | None) -> None:
    problems = result.problems
    names = [info.filename for info in archive.infolist()]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"{name}: stored more than once in the ZIP")
    try:
        raw = archive.read(MANIFEST)
    except Exception as error:  # A missing or damaged manifest, however zipfile says it.
        problems.append(f"{MANIFEST}: missing or unreadable ({error})")
        return
    result.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    if expect is not None and result.manifest_sha256 != expect.strip().lower():
        problems.append(
            f"{MANIFEST}: SHA-256 {result.manifest_sha256} is not the recorded {expect.strip()}"
        )
    listed = _listed_files(raw, result)
    if listed is None:
        return
    digests: dict[str, str] = {}
    for info in archive.infolist():
        if info.filename == MANIFEST:
            continue
        if info.filename not in listed:
            problems.append(f"{info.filename}: in the package but not in the manifest")
            continue
        sha256, size = listed[info.filename]
        problem, digests[info.filename] = _member_problem(archive, info, sha256, size)
        result.files += 1
        if problem:
            problems.append(f"{info.filename}: {problem}")
    for name in sorted(set(listed) - set(names)):
        problems.append(f"{name}: listed in the manifest but missing from the package")
    problems.extend(package_problems(archive, json.loads(raw), digests))


def _listed_files(raw: bytes, result: VerifyResult) -> dict[str, tuple[str, int]] | None:
    """``{path: (sha256, size)}`` from the manifest, or ``None`` (a problem is added)."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"format is {manifest.get('format')!r}, not {FORMAT!r}")
        listed = {entry["path"]: (entry["sha256"], entry["size"]) for entry in manifest["files"]}
        if len(listed) != len(manifest["files"]):
            raise ValueError("a path is listed twice")
        result.call_ids = [int(call_id) for call_id in manifest["call_ids"]]
        result.redacted = bool(manifest["redacted"])
    except Exception as error:  # Any malformed manifest, whatever the shape of the damage.
        result.problems.append(f"{MANIFEST}: not a callsift manifest ({error})")
        return None
    return listed


def _member_problem(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, sha256: str, size: int
) -> tuple[str | None, str]:
    """What is wrong with one member (``None``: nothing), and its SHA-256 as read."""
    digest = hashlib.sha256()
    read = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                digest.update(chunk)
                read += len(chunk)
    except Exception as error:  # CRC, zlib or header damage: the member cannot be trusted.
        return f"cannot be read ({error})", ""
    if read != size:
        return f"{read} bytes, the manifest says {size}", digest.hexdigest()
    if digest.hexdigest() != sha256:
        return "SHA-256 differs from the manifest: the file was changed", digest.hexdigest()
    return None, digest.hexdigest()

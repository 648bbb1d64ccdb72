"""``callsift quote``: a passage of a call as a cited clip, and its refusals."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from .conftest import run


def test_quote_writes_a_zip_that_export_verify_passes(case: str, tmp_path: Path) -> None:
    out = tmp_path / "quote.zip"
    result = run(
        "quote", "--case", case, "--call", "5", "--start", "1", "--end", "4.5", "--out", str(out)
    )
    (clip,) = re.findall(r"^clip\s+sha256 ([0-9a-f]{64})$", result.stdout, re.M)
    with zipfile.ZipFile(out) as archive:
        assert hashlib.sha256(archive.read("clip.wav")).hexdigest() == clip
    assert run("export", "verify", str(out)).stdout.startswith("OK")
    again = run(
        "quote", "--case", case, "--call", "5", "--start", "2", "--end", "3",
        "--out", str(tmp_path / "two.zip"), "--json",
    )  # fmt: skip
    assert (again["call_id"], again["start"], again["end"]) == (5, 2.0, 3.0)
    assert again["custody_id"] > 0 and len(again["manifest_sha256"]) == 64


def test_quote_refuses_a_span_that_is_not_in_the_call(case: str, tmp_path: Path) -> None:
    out = tmp_path / "quote.zip"
    for start, end, why in (("3", "1", "must come after the start"), ("0", "900", "at most 5")):
        result = run(
            "quote", "--case", case, "--call", "5", "--start", start, "--end", end,
            "--out", str(out), code=1,
        )  # fmt: skip
        assert why in " ".join(result.output.split())
    assert not out.exists()

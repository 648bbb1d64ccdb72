"""``callsift export CALL_ID... -o`` and ``callsift export verify``: output and exit codes."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from callsift.cli import app

from .conftest import run, runner


@pytest.fixture(scope="module")
def package(case: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Calls 1 and 7, and the manifest SHA-256 the command printed."""
    out = tmp_path_factory.mktemp("packages") / "calls.zip"
    result = run("export", "1", "7", "-o", str(out), "--case", case)
    (printed,) = re.findall(r"^manifest sha256 ([0-9a-f]{64})$", result.stdout, re.M)
    return out, printed


def _manifest(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("manifest.json")


def test_export_prints_the_manifest_hash_for_the_record(package: tuple[Path, str]) -> None:
    path, printed = package
    assert printed == hashlib.sha256(_manifest(path)).hexdigest()
    assert json.loads(_manifest(path))["call_ids"] == [1, 7]


def test_export_json(case: str, tmp_path: Path) -> None:
    out = tmp_path / "three.zip"
    result = run("export", "3", "-o", str(out), "--case", case, "--json")
    assert set(result) == {
        "path", "manifest_sha256", "package_sha256", "call_ids", "files", "size", "redacted",
    }  # fmt: skip
    assert (result["path"], result["call_ids"], result["redacted"]) == (str(out), [3], False)
    assert result["package_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_verify_passes_an_untouched_package_and_fails_a_changed_byte(
    package: tuple[Path, str], tmp_path: Path
) -> None:
    path, printed = package
    ok = run("export", "verify", str(path))
    assert ok.stdout.startswith("OK") and printed in ok.stdout
    assert run("export", "verify", str(path), "--expect", printed, "--json")["ok"] is True
    data = bytearray(path.read_bytes())
    for position in (0, len(data) // 2, len(data) - 30, len(data) - 1):
        changed = tmp_path / f"changed-{position}.zip"
        data[position] ^= 0x01
        changed.write_bytes(bytes(data))
        data[position] ^= 0x01
        failed = run("export", "verify", str(changed), code=1)
        assert failed.stdout.startswith("FAILED")
        report = json.loads(run("export", "verify", str(changed), "--json", code=1).stdout)
        assert report["ok"] is False and report["problems"]
    wrong = run("export", "verify", str(path), "--expect", "0" * 64, code=1)
    assert "is not the recorded" in wrong.stdout


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["verify"], 2, "usage: callsift export verify PACKAGE.zip"),
        (["verify", "nowhere.zip"], 1, "cannot read the package"),
        (["1"], 2, "-o/--output"),
        (["one", "-o", "x.zip"], 2, "call ids are numbers"),
        (["999", "-o", "x.zip"], 1, "not in this case"),
    ],
)
def test_usage_and_input_errors(
    case: str, tmp_path: Path, args: list[str], code: int, says: str
) -> None:
    result = runner.invoke(app, ["export", *args, "--case", case], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert says in result.stderr
    assert not [name for name in ("x.zip", "x.csv", "x.html") if (Path.cwd() / name).exists()]


def test_a_report_can_be_written_redacted(case: str, tmp_path: Path) -> None:
    out = tmp_path / "public.html"
    result = runner.invoke(
        app,
        ["export", "1", "--format", "html", "--mask-name", "Серёжа", "-o", str(out),
         "--case", case, "--json"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["redacted"] is True
    page = out.read_text(encoding="utf-8")
    assert "[REDACTED]" in page and "Серёж" not in page and "call_001.wav" not in page
    assert "+79035551708" not in page and "903 555 17 08" not in page


def test_a_package_is_never_overwritten(case: str, package: tuple[Path, str]) -> None:
    path, _ = package
    before = path.read_bytes()
    result = run("export", "3", "-o", str(path), "--case", case, code=1)
    assert "already exists" in result.stderr and path.read_bytes() == before


def test_redacted_export(case: str, tmp_path: Path) -> None:
    out = tmp_path / "public.zip"
    result = run(
        "export", "1", "-o", str(out), "--mask-name", "Серёжа", "--private-field",
        "intercept_ref", "--case", case, "--json",
    )  # fmt: skip
    assert result["redacted"] is True  # --mask-name implies --redact
    assert run("export", "verify", str(out), "--json")["redacted"] is True
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        names = archive.namelist()
        texts = "".join(archive.read(name).decode() for name in names if not name.endswith(".wav"))
    assert not [name for name in names if "/original/" in name]
    assert "[REDACTED]" in texts
    for gone in ("Серёж", "call_001", "IR-0304-017", "903 555 17 08", "79035551708"):
        assert gone not in texts

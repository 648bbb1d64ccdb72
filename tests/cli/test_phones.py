"""``callsift phones`` and the numbers in ``show``: exit codes and the documented JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from callsift.cli import app

from .conftest import run, runner

NUMBER_KEYS = {"raw", "e164", "valid", "country", "region", "carrier", "line_type"}
ENTRY_KEYS = {"directory", "raw", "e164", "name", "unit", "source", "note"}


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lists") / "known.csv"
    path.write_text(
        "Телефон,name,unit,Позывной\n"
        "8 903 555 17 08,Сидоров Иван,331 полк,Кедр\n"
        ",без номера,,\n"
        "12345,Коротыш,,\n",
        encoding="utf-8",
    )
    return path


def test_phones_list_json(case: str, truth: dict[str, Any]) -> None:
    numbers = run("phones", "list", "--case", case, "--json")
    planted = {p["e164"] or p["raw"] for p in truth["planted"]["number_formats"]}
    assert {n["e164"] or n["raw"] for n in numbers} == planted
    for number in numbers:
        assert set(number) == NUMBER_KEYS | {"spellings", "as_caller", "as_receiver", "known"}
    by_number = {n["e164"] or n["raw"]: n for n in numbers}
    assert by_number["+79035551708"]["as_caller"] == [1, 20]
    assert by_number["+79035551708"]["carrier"] == "Beeline"
    invalid = by_number["12345"]
    assert (invalid["e164"], invalid["valid"], invalid["as_receiver"]) == (None, False, [18])


def test_phones_region_option(case: str) -> None:
    numbers = run("phones", "list", "--case", case, "--region", "UA", "--json")
    trunk = {n["raw"]: n for n in numbers}["8 (916) 555-23-41"]  # no Ukrainian number
    assert (trunk["e164"], trunk["valid"]) == (None, False)
    run("phones", "list", "--case", case)  # back to the default regions
    refused = runner.invoke(app, ["phones", "list", "--case", case, "--region", "XX"])
    assert refused.exit_code == 2 and "unknown region XX" in refused.output


def test_phones_import_known_conflicts_json(case: str, directory: Path) -> None:
    args = ("phones", "import", str(directory), "--case", case, "--column", "Телефон=number")
    (first,) = run(*args, "--source", "roster", "--json")
    assert (first["file"], first["entries"], first["added"], len(first["sha256"])) == (
        str(directory),
        2,
        2,
        64,
    )
    assert first["errors"] == [{"where": f"{directory} line 3", "reason": "no number"}]
    (again,) = run(*args, "--source", "roster", "--json")
    assert (again["entries"], again["added"]) == (2, 0)

    known = run("phones", "known", "--case", case, "--json")
    assert [(k["call_id"], k["role"], k["entry"]["name"]) for k in known] == [
        (1, "caller", "Сидоров Иван"),
        (18, "receiver", "Коротыш"),
        (20, "caller", "Сидоров Иван"),
    ]
    for row in known:
        assert set(row) == {"call_id", "file", "role", "number", "entry"}
        assert set(row["number"]) == NUMBER_KEYS and set(row["entry"]) == ENTRY_KEYS
    assert known[0]["entry"]["note"] == "Позывной: Кедр"
    assert known[0]["entry"]["source"] == "roster"
    assert run("phones", "conflicts", "--case", case, "--json") == []


def test_show_json_numbers_and_the_warning_mark(case: str) -> None:
    call = run("show", "18", "--case", case, "--json")
    assert call["numbers"] == {
        "caller": {
            "raw": "+44 7700 900456",
            "e164": None,
            "valid": False,
            "country": None,
            "region": None,
            "carrier": None,
            "line_type": None,
        },
        "receiver": {
            "raw": "12345",
            "e164": None,
            "valid": False,
            "country": None,
            "region": None,
            "carrier": None,
            "line_type": None,
        },
    }
    valid = run("show", "1", "--case", case, "--json")["numbers"]["caller"]
    assert (valid["raw"], valid["e164"], valid["valid"], valid["country"]) == (
        "+7 903 555 17 08",
        "+79035551708",
        True,
        "RU",
    )
    text = run("show", "18", "--case", case).output
    assert "receiver: ⚠ 12345 (not a valid number; kept as written)" in text

"""Number normalisation against every format the demo corpus plants (demo/truth.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsift.graph.numbers import check_regions, normalize_number

TRUTH = json.loads(
    (Path(__file__).resolve().parents[2] / "demo" / "truth.json").read_text(encoding="utf-8")
)
FORMATS = TRUTH["planted"]["number_formats"]


@pytest.mark.parametrize(
    "planted", FORMATS, ids=[f"{p['file']}-{p['column']}-{p['raw']}" for p in FORMATS]
)
def test_every_planted_format_normalises_to_its_e164(planted: dict[str, str | None]) -> None:
    raw = str(planted["raw"])
    number = normalize_number(raw)
    assert number.e164 == planted["e164"]
    assert number.valid is (planted["e164"] is not None)
    assert number.raw == raw  # kept exactly as written, valid or not


def test_invalid_number_is_kept_as_written_and_flagged() -> None:
    number = normalize_number(" 12345 ")
    assert (number.raw, number.e164, number.valid) == ("12345", None, False)
    assert (number.country, number.carrier, number.line_type) == (None, None, None)


def test_valid_number_carries_offline_intelligence() -> None:
    mobile = normalize_number("+7 903 555 17 08")
    assert (mobile.country, mobile.carrier, mobile.line_type) == ("RU", "Beeline", "mobile")
    landline = normalize_number("+380 44 555 0101")
    assert (landline.country, landline.region, landline.line_type) == (
        "UA",
        "Kyiv city",
        "fixed_line",
    )


def test_default_regions_decide_national_numbers() -> None:
    # A Belarusian number in national format: not a number in Russia or Ukraine.
    assert not normalize_number("8 029 123 45 67").valid
    belarus = normalize_number("8 029 123 45 67", regions=("by",))
    assert (belarus.e164, belarus.country) == ("+375291234567", "BY")
    # Ukrainian national format needs UA among the regions.
    assert normalize_number("067 123 45 67", regions=("RU",)).e164 is None
    assert normalize_number("067 123 45 67", regions=("RU", "UA")).e164 == "+380671234567"


def test_check_regions_upper_cases_and_refuses_unknown_codes() -> None:
    assert check_regions(["ru", " ua "]) == ("RU", "UA")
    with pytest.raises(ValueError, match="unknown region XX"):
        check_regions(["RU", "XX"])

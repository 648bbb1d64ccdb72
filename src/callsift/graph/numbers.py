"""Phone numbers as people write them, normalised to E.164 with offline intelligence.

Metadata sheets and speech hold numbers in every national habit: Russian trunk
prefix ``8 (916) …``, a ``+7`` without its plus (``79161112233``), Ukrainian
national ``067 …`` and ``380 …`` without the plus. Which country a bare national
number belongs to cannot be read off the digits, so the caller's ``regions``
are tried in order (default Russia, then Ukraine, the two countries of the
calls this tool was built for). A number that fits no rule is kept exactly as
written with ``e164 = None`` and ``valid = False``: an analyst decides, the
tool never drops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType, carrier, geocoder, number_type

__all__ = ["DEFAULT_REGIONS", "PhoneNumber", "check_regions", "normalize_number"]

DEFAULT_REGIONS: tuple[str, ...] = ("RU", "UA")

_LINE_TYPES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


@dataclass(frozen=True)
class PhoneNumber:
    """One number: what was written, and what it is.

    Attributes:
        raw: the number exactly as written in the source.
        e164: ``+79161112233``, or ``None`` when the number is not valid.
        valid: whether the number fits its country's numbering plan.
        country: ISO 3166 code (``RU``, ``UA``), or ``None``.
        region: the area the number plan assigns (``Moscow``), or ``None``.
        carrier: the operator the range was first allocated to (numbers move
            between operators, so this is a lead, not a fact), or ``None``.
        line_type: ``mobile``, ``fixed_line``, … or ``None``.
    """

    raw: str
    e164: str | None
    valid: bool
    country: str | None = None
    region: str | None = None
    carrier: str | None = None
    line_type: str | None = None


def check_regions(regions: Sequence[str]) -> tuple[str, ...]:
    """``regions`` upper-cased; raises ``ValueError`` naming a code phonenumbers does not know."""
    checked = tuple(region.strip().upper() for region in regions)
    unknown = [region for region in checked if region not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(
            f"unknown region {', '.join(unknown)}: use ISO 3166 country codes such as RU, UA, BY"
        )
    return checked


def normalize_number(raw: str, regions: Sequence[str] = DEFAULT_REGIONS) -> PhoneNumber:
    """Normalise ``raw``; ``regions`` are the countries a national number may belong to."""
    return _normalize(raw.strip(), tuple(region.upper() for region in regions))


@lru_cache(maxsize=65536)
def _normalize(raw: str, regions: tuple[str, ...]) -> PhoneNumber:
    parsed = _parse(raw, regions)
    if parsed is None:
        return PhoneNumber(raw=raw, e164=None, valid=False)
    return PhoneNumber(
        raw=raw,
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        valid=True,
        country=phonenumbers.region_code_for_number(parsed),
        region=geocoder.description_for_number(parsed, "en") or None,
        carrier=carrier.name_for_number(parsed, "en") or None,
        line_type=_LINE_TYPES.get(number_type(parsed)),
    )


def _parse(raw: str, regions: tuple[str, ...]) -> phonenumbers.PhoneNumber | None:
    """The first valid reading of ``raw``: international, national, then plus-less."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not digits:
        return None
    international = raw.startswith("+") or digits.startswith("00")
    candidates: list[tuple[str, str | None]] = []
    if international:
        candidates.append(
            ("+" + digits.removeprefix("00") if not raw.startswith("+") else raw, None)
        )
    else:
        candidates += [(raw, region) for region in regions]
        candidates.append(("+" + digits, None))  # a country code written without its plus
    for text, region in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None

"""How the pages write times, dates and lengths: for people, in the reader's language.

The store keeps ISO 8601 timestamps (to the microsecond) and seconds as
floats; a reviewer reads "5 Dec 2026, 14:03 UTC" and "2 min 05 s". Dates
and times are shown in UTC, as the custody log records them, so two
reviewers in different time zones quote the same time.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from callsift.web.i18n import current_language, gettext_, ngettext_

__all__ = [
    "FILTERS",
    "casualty",
    "channels",
    "codec",
    "container",
    "country",
    "day",
    "duration",
    "entity",
    "field",
    "language",
    "line_type",
    "month_day",
    "number_facts",
    "percent",
    "problem",
    "role",
    "sample_rate",
    "status",
    "topic",
    "when",
    "written_date",
]


def when(value: str | datetime | None) -> str:
    """An ISO timestamp as "5 Dec 2026, 14:03 UTC"; what cannot be read is shown as written."""
    if value is None or value == "":
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:  # a sheet's local time, not ours to convert
        return format_datetime(moment, "d MMM y, HH:mm", locale=current_language())
    text = format_datetime(moment, "d MMM y, HH:mm", tzinfo=UTC, locale=current_language())
    return f"{text} UTC"


def day(value: str | date | None) -> str:
    """An ISO date (or the date of a timestamp) as "5 Dec 2026"."""
    if value is None or value == "":
        return ""
    try:
        found = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return written_date(found, "d MMM y", current_language())


@lru_cache(maxsize=4096)
def written_date(found: date, pattern: str, language: str) -> str:
    """``format_date``, kept: a timeline writes hundreds of days a view (#13)."""
    return format_date(found, pattern, locale=language)


def duration(seconds: float | None) -> str:
    """A length as "45 s", "2 min 05 s" or "1 h 02 min"."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return gettext_("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if minutes:
        return gettext_("%(m)d min %(s)02d s") % {"m": minutes, "s": secs}
    return gettext_("%(s)d s") % {"s": secs}


# -- Human labels ---------------------------------------------------------------------
# Every code a page would otherwise show raw (a PyAV container list, a codec,
# an entity type, a role) has its label here, so each template says it alike.
# The tables are functions so that each label is looked up in the language of
# the request being rendered (and so `make messages` finds the literal text).

_CONTAINERS = {
    "wav": "WAV",
    "mp3": "MP3",
    "ogg": "Ogg",
    "flac": "FLAC",
    "amr": "AMR",
    "aac": "AAC",
    "matroska,webm": "Matroska/WebM",
    "mov,mp4,m4a,3gp,3g2,mj2": "MP4/M4A",
    "asf": "WMA",
    "aiff": "AIFF",
    "caf": "CAF",
}
_CODECS = {
    "pcm_s16le": "PCM 16-bit",
    "pcm_s16be": "PCM 16-bit",
    "pcm_s24le": "PCM 24-bit",
    "pcm_s32le": "PCM 32-bit",
    "pcm_u8": "PCM 8-bit",
    "pcm_f32le": "PCM 32-bit float",
    "pcm_alaw": "G.711 A-law",
    "pcm_mulaw": "G.711 µ-law",
    "gsm_ms": "GSM 06.10",
    "gsm": "GSM 06.10",
    "mp3": "MP3",
    "mp3float": "MP3",
    "amr_nb": "AMR-NB",
    "amr_wb": "AMR-WB",
    "opus": "Opus",
    "vorbis": "Vorbis",
    "aac": "AAC",
    "flac": "FLAC",
    "wmav2": "WMA",
    "adpcm_ima_wav": "IMA ADPCM",
}


def container(name: str | None) -> str:
    """A file format as people know it: ``mov,mp4,m4a,3gp,3g2,mj2`` is "MP4/M4A"."""
    if not name:
        return gettext_("unknown format")
    return _CONTAINERS.get(name, name.split(",")[0].upper())


def codec(name: str | None) -> str:
    """An audio codec as people know it: ``pcm_alaw`` is "G.711 A-law"."""
    if not name:
        return gettext_("unknown codec")
    return _CODECS.get(name, name.replace("_", " ").upper())


def sample_rate(hertz: int | None) -> str:
    """``8000`` as "8 kHz"."""
    if not hertz:
        return ""
    return gettext_("%(khz)s kHz") % {
        "khz": format_decimal(hertz / 1000, locale=current_language())
    }


def channels(count: int | None) -> str:
    """``1`` as "mono", ``2`` as "stereo"."""
    if not count:
        return ""
    if count == 1:
        return gettext_("mono")
    if count == 2:
        return gettext_("stereo")
    return ngettext_("%(num)d channel", "%(num)d channels", count) % {"num": count}


def language(code: str | None) -> str:
    """A language code (``ru``) as its name in the reader's language ("Russian")."""
    if not code:
        return gettext_("unknown language")
    name = Locale.parse(current_language()).languages.get(code.split("-")[0].lower())
    return (name[:1].upper() + name[1:]) if name else code


def country(code: str | None) -> str:
    """An ISO 3166 code (``UA``) as the country's name in the reader's language."""
    if not code:
        return ""
    return str(Locale.parse(current_language()).territories.get(code.upper(), code))


def percent(probability: float | None) -> str:
    """A probability (0–1) as "90%", written the reader's way."""
    if probability is None or not math.isfinite(probability):
        return ""
    return format_percent(probability, locale=current_language())


def month_day(value: str | None) -> str:
    """A date said without its year (ISO ``--03-20``) as "20 Mar"; a full date as ``day``."""
    if not value:
        return ""
    if value.startswith("--"):
        try:
            found = date(2000, int(value[2:4]), int(value[5:7]))
        except ValueError:
            return value
        return format_date(found, "d MMM", locale=current_language())
    return day(value)


def _fields() -> dict[str, str]:
    return {
        "started_at": gettext_("Started"),
        "duration_s": gettext_("Length"),
        "location": gettext_("Place"),
        "notes": gettext_("Notes"),
        "caller": gettext_("Caller"),
        "receiver": gettext_("Receiver"),
        "file": gettext_("File"),
    }


def field(key: str) -> str:
    """A metadata field as a label: known fields translated, a sheet's own column tidied."""
    known = _fields().get(key)
    if known:
        return known
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


_PROBLEM = re.compile(r"^(?P<key>[a-z_]+) (?P<quote>['\"])(?P<raw>.*)(?P=quote) (?P<why>.+)$", re.S)


def problem(text: str) -> str:
    """A sheet problem ("started_at '2022-03-32' is not …") with its field as a label.

    The value is kept as written, in quotation marks: it is what the sheet says.
    """
    found = _PROBLEM.match(text or "")
    if found is None:
        return text
    return f"{field(found['key'])}: “{found['raw']}” {found['why']}"


def _entities() -> dict[str, str]:
    return {
        "PER": gettext_("Person"),
        "LOC": gettext_("Place"),
        "ORG": gettext_("Organisation"),
        "unit": gettext_("Military unit"),
        "equipment": gettext_("Equipment"),
        "casualty": gettext_("Casualties"),
        "order": gettext_("Order"),
        "date": gettext_("Date"),
        "phone": gettext_("Phone number"),
    }


def entity(kind: str) -> str:
    """An entity type code (``LOC``, ``PER``, ``unit``) as a word."""
    return _entities().get(kind, kind)


def _statuses() -> dict[str, str]:
    return {
        "unverified": gettext_("unverified"),
        "corroborated": gettext_("corroborated"),
        "verified": gettext_("verified"),
        "disputed": gettext_("disputed"),
        "rejected": gettext_("rejected"),
    }


def status(name: str) -> str:
    """A verification status in the reader's language."""
    return _statuses().get(name, name)


def _topics() -> dict[str, str]:
    return {
        "casualties": gettext_("casualties"),
        "criticism": gettext_("criticism of command"),
        "desertion": gettext_("desertion"),
        "equipment": gettext_("equipment"),
        "location": gettext_("location"),
        "orders": gettext_("orders"),
    }


def topic(name: str) -> str:
    """A watchlist topic as a label (a team's own topics are shown as they named them)."""
    return _topics().get(name, name.replace("_", " "))


def _casualty_kinds() -> dict[str, tuple[str, str, str]]:
    """Per kind: a count, a share, and the bare kind."""
    return {
        "killed": (gettext_("%(n)s killed"), gettext_("%(share)s killed"), gettext_("killed")),
        "wounded": (gettext_("%(n)s wounded"), gettext_("%(share)s wounded"), gettext_("wounded")),
        "missing": (gettext_("%(n)s missing"), gettext_("%(share)s missing"), gettext_("missing")),
        "lost": (gettext_("%(n)s lost"), gettext_("%(share)s lost"), gettext_("lost")),
    }


def casualty(value: float | None, fraction: float | None, kind: str | None) -> str:
    """A casualty figure as said: "12 killed", "half wounded", "killed"."""
    counted, shared, bare = _casualty_kinds().get(kind or "", ("%(n)s", "%(share)s", kind or ""))
    if value is not None and math.isfinite(value):
        number = format_decimal(value, locale=current_language())
        return counted % {"n": number}
    if fraction is not None and math.isfinite(fraction):
        shares = {1.0: gettext_("all"), 0.5: gettext_("half")}
        share = shares.get(round(fraction, 3)) or percent(fraction)
        return shared % {"share": share}
    return bare


def _line_types() -> dict[str, str]:
    return {
        "mobile": gettext_("mobile"),
        "fixed_line": gettext_("landline"),
        "fixed_line_or_mobile": gettext_("landline or mobile"),
        "toll_free": gettext_("toll-free"),
        "premium_rate": gettext_("premium rate"),
        "voip": gettext_("internet telephony"),
        "pager": gettext_("pager"),
        "voicemail": gettext_("voicemail"),
    }


def line_type(kind: str | None) -> str:
    """A phone line type (``fixed_line``) as words."""
    if not kind:
        return ""
    return _line_types().get(kind, kind.replace("_", " "))


def number_facts(
    country_code: str | None, region: str | None, carrier: str | None, kind: str | None
) -> str:
    """What a number's plan says, as "Russia · Moscow · Beeline · mobile".

    The region is libphonenumber's, in English; where it only repeats the
    country ("Russia") it is left out.
    """
    english = Locale.parse("en").territories.get((country_code or "").upper())
    place = region if region and region != english else None
    facts = (country(country_code), place, carrier, line_type(kind))
    return " · ".join(fact for fact in facts if fact)


def _roles() -> dict[str, str]:
    return {
        "admin": gettext_("administrator"),
        "reviewer": gettext_("reviewer"),
        "analyst": gettext_("analyst"),
        "viewer": gettext_("viewer"),
        "caller": gettext_("caller"),
        "receiver": gettext_("receiver"),
    }


def role(name: str) -> str:
    """An account's role, or a party of a call, as a word in the reader's language."""
    return _roles().get(name, name)


FILTERS = {
    "container": container,
    "codec": codec,
    "sample_rate": sample_rate,
    "channels": channels,
    "language": language,
    "country": country,
    "percent": percent,
    "problem": problem,
    "casualty": casualty,
    "month_day": month_day,
    "field": field,
    "entity": entity,
    "topic": topic,
    "line_type": line_type,
    "number_facts": number_facts,
    "role": role,
    "status": status,
}
"""Every label filter, as templates use them (``{{ c.codec|codec }}``)."""

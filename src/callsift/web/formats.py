"""How the pages write times, dates and lengths: for people, in the reader's language.

The store keeps ISO 8601 timestamps (to the microsecond) and seconds as
floats; a reviewer reads "5 Dec 2026, 14:03 UTC" and "2 min 05 s". Dates
and times are shown in UTC, as the custody log records them, so two
reviewers in different time zones quote the same time.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime

from callsift.web.i18n import current_language, gettext_

__all__ = ["day", "duration", "when"]


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
    return format_date(found, "d MMM y", locale=current_language())


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

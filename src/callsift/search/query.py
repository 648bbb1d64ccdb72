"""Turn what a journalist types into a safe SQLite FTS5 query.

Users type words, quoted phrases, ``-word`` exclusions and ``OR``; they do not
type FTS5 syntax, and a stray ``"`` or ``*`` must not become a syntax error or
an injection. Each bare word becomes a quoted FTS5 string (a trailing ``*``
keeps its prefix meaning), so punctuation in the input is always literal.
"""

from __future__ import annotations

import re

from callsift.errors import CallsiftError
from callsift.records import SearchHit
from callsift.store import CaseStore, search_segments

__all__ = ["SearchError", "fts_query", "search"]

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class SearchError(CallsiftError):
    """The query has nothing to search for."""


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """``в Буче "наша оборона" -мама мин*`` → an FTS5 MATCH expression."""
    positive: list[str] = []
    negative: list[str] = []
    for match in _TOKEN.finditer(query):
        exclude, phrase, word = match.groups()
        if word is not None:
            if word == "OR" and positive:
                positive.append("OR")
                continue
            exclude, word = ("-", word[1:]) if word.startswith("-") else ("", word)
            prefix = word.endswith("*")
            term = re.sub(r"[^\w]+", " ", word).strip()
            if not term:
                continue
            text = _quote(term) + ("*" if prefix else "")
        else:
            term = phrase.strip()
            if not term:
                continue
            text = _quote(term)
        (negative if exclude else positive).append(text)
    while positive and positive[-1] == "OR":
        positive.pop()
    if not positive:
        raise SearchError(f"nothing to search for in {query!r}")
    expression = " ".join(positive)
    for term in negative:
        expression = f"({expression}) NOT {term}"
    return expression


def search(store: CaseStore, query: str, limit: int = 20) -> list[SearchHit]:
    """Best-matching segments for ``query`` (BM25), each with a marked snippet."""
    return search_segments(store, fts_query(query), limit)

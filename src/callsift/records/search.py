"""Typed records of a search: what is asked (filters), each hit, and the page of them.

Kept beside the other records (``callsift.records``, which names them too) rather
than in ``callsift.search``: the store reads and writes them, and ``search``
imports the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SearchFilters", "SearchHit", "SearchResult"]


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search.

    Attributes:
        lang: ``en`` searches the English translations; ``ru`` or ``uk`` the
            original words of segments in that language; ``None`` both.
        date_from: first day (``YYYY-MM-DD``) of the call's ``started_at``.
        date_to: last day, inclusive.
        number: a caller or receiver number in any written form (matched on
            its E.164 form), or digits that the number contains.
        flag: a watchlist topic the segment raised.
        entity: a person, place or organisation (normal form) the call mentions.
        unit: a military unit key the call mentions (``331 полк``).
        status: the call's verification status (``unverified`` includes calls
            never reviewed).
        exact: only words as written (every form); no approximate hits on how
            the words sound.
        since_segment: only segments stored after this segment id (a saved
            search counts its new hits so).
    """

    lang: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    number: str | None = None
    flag: str | None = None
    entity: str | None = None
    unit: str | None = None
    status: str | None = None
    exact: bool = False
    since_segment: int | None = None

    def narrows(self) -> bool:
        """Whether a filter picks calls or segments (``exact`` and English alone do not)."""
        picks = (self.date_from, self.date_to, self.number, self.flag, self.entity, self.unit)
        return self.lang in ("ru", "uk") or any((*picks, self.status))


@dataclass
class SearchHit:
    """One matching segment; snippets mark matched words with ``[`` and ``]``.

    ``match`` is ``exact`` (the words, in some form) or ``approximate`` (words
    that sound like them: ``matched`` maps each query term to what the
    transcript holds, and ``score`` counts the letters that differ).
    """

    call_id: int
    file: str
    channel: int
    start: float
    end: float
    language: str
    text: str
    translation: str | None
    score: float
    snippet: str = ""
    translation_snippet: str = ""
    match: str = "exact"
    matched: dict[str, str] = field(default_factory=dict)
    speaker: int | None = None
    """1 or 2 on a mono channel split into two voices (``Segment.speaker``)."""
    started_at: str | None = None
    """When the call began, as its metadata wrote it."""
    caller: str | None = None
    receiver: str | None = None
    """The call's two numbers (E.164 when valid), set by ``callsift.parties``."""
    party: str | None = None
    """Who said it: ``caller``, ``receiver``, ``speaker 1``/``2`` or ``both``
    (``callsift.parties``); ``party_label`` in words, ``party_number`` and
    ``party_name`` (from the team's directories) where known."""
    party_label: str | None = None
    party_number: str | None = None
    party_name: str | None = None
    segment_id: int | None = None


@dataclass
class SearchResult:
    """Hits, best first, and facet counts over every matching segment.

    ``total`` counts exact and approximate hits; ``approximate`` the latter
    (facets count exact hits only). ``hits`` is the page of ``limit`` hits
    from ``offset`` (0: the best). With no query words (``by_call``), the
    filters alone list calls: one hit per call, its first segment that
    passes them, and ``total`` counts calls.
    """

    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    approximate: int = 0
    offset: int = 0
    limit: int = 20
    by_call: bool = False

"""Whether a casualty word is said in the negative: "ты не ранен?", "не було поранених".

A flag or a figure on "никого не убили" would tell a team that a call reports
deaths when it reports none. In Russian and Ukrainian the negation sits right
before the word it denies ("не ранен", "не загинув"), or before a form of
"быть"/"бути" that does ("не было раненых", "не було поранених"); "никого не
убили" and "ніхто не загинув" carry the same "не". Within the same clause
only: "не знаю, убит ли он" still speaks of a death.

Absence words ("нет", "немає", "без") deny too ("потерь нет", "без потерь"),
but the casualty rules read "убитых нет" as a figure (0 killed), so only the
flags ask for them (``absence=True``).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["negated"]

_NOT = frozenset({"не", "ни", "ні"})
_ABSENT = frozenset({"нет", "нету", "немає", "нема", "без"})
_BE = frozenset({"быть", "бути"})  # lemmas: "было", "были", "був", "було", "були"


def negated(
    words: Sequence[str],
    forms: Sequence[frozenset[str]],
    clause: Sequence[int],
    first: int,
    last: int,
    *,
    absence: bool = False,
) -> bool:
    """Whether tokens ``first..last`` are denied by the words around them.

    ``words``: each token as said (any case); ``forms``: each token's lemmas;
    ``clause``: each token's clause number (tokens of one clause share it).
    """
    deny = _NOT | _ABSENT if absence else _NOT

    def said(k: int, among: frozenset[str]) -> bool:
        return 0 <= k < len(words) and clause[k] == clause[first] and words[k].lower() in among

    before = first - 1
    if (
        0 <= before < len(words)
        and clause[before] == clause[first]
        and not forms[before].isdisjoint(_BE)
    ):
        before -= 1  # "не было раненых"
    if said(before, deny):
        return True
    return absence and said(last + 1, _ABSENT - {"без"}) and clause[last + 1] == clause[last]

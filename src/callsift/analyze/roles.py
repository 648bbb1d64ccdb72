"""Which voice of a mono call is the caller, from what the two voices say.

Diarisation tells two voices apart but not who dialled. Two things said early
in a call do, in Russian, Ukrainian and English alike:

* **Who introduces themselves called.** The receiver sees nothing but a number
  (often a strange one: a borrowed phone, a field line), so the caller says who
  is speaking: "Это я, Серёжа", "Это Дима", "Коля, это мама", "Це я, Тарас",
  "it's me, Tom", "it's Dad". In the demo corpus every call with such a line has
  it from the caller, the parent's lines in the calls parents make included
  (call_007, call_016, call_018).
* **Who answers with a bare greeting was called.** A first turn that is only
  "Алло?", "Да", "Слушаю", "Hello?" is the receiver picking up. Only a turn of
  nothing else counts: callers say "Алло, Света? Это Гена…" too (call_024).

What is *not* used, and why:

* Who speaks first. On a real line the receiver speaks first ("Алло"), but an
  intercept often starts mid-call or after the greeting, and in the demo's
  scripts the caller speaks first in every mono call. Either way the rule would
  be a guess.
* Kinship words ("мама", "папа", "сынок"). They say who is the parent, not who
  dialled: a mother rings her son in call_007. The issue suggested "the party
  addressed as мама is the receiver when a soldier calls home"; that holds only
  when one already knows the soldier called.

When the evidence names both voices the same way, or neither, both stay
"speaker 1" and "speaker 2".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["ROLES", "name_roles"]

ROLES = ("caller", "receiver")

_INTRODUCTION = re.compile(
    # Case matters after the verb (a capital is a name: "Это Дима", not "это ужасно").
    r"(?:^|[\s,.!?])(?:[Ээ]то|[Цц][еэ])\s+(?:я\b|мама\b|мамо\b|папа\b|тато\b|батя\b|[А-ЯЁІЇЄҐ]\w+)"
    r"|\b(?:[Ii]t's|[Ii]t is|[Tt]his is)\s+(?:me\b|[A-Z]\w+)",
)
_ANSWER = re.compile(
    r"^(?:(?:алло|алё|ало|да|слушаю|так|слухаю|hello|hi|yes|yeah)[\s,.!?…]*){1,3}$", re.I
)
_EARLY_TURNS = 2  # an introduction comes in a voice's first or second turn


def name_roles(turns: Sequence[tuple[int, str]]) -> tuple[dict[int, str], str]:
    """Roles for speakers 1 and 2 from their turns ``(speaker, text)`` in time order.

    Returns ``({speaker: role}, reason)``; the dict is empty when the content
    does not say, or says both ways.
    """
    votes: dict[int, set[str]] = {1: set(), 2: set()}
    evidence: list[str] = []
    seen: dict[int, int] = {1: 0, 2: 0}
    for index, (speaker, text) in enumerate(turns):
        if speaker not in votes:
            continue
        seen[speaker] += 1
        said = text.strip()
        if index == 0 and _ANSWER.match(said):
            votes[speaker].add("receiver")
            evidence.append(f'speaker {speaker} answers "{said}"')
        elif seen[speaker] <= _EARLY_TURNS and (found := _INTRODUCTION.search(said)):
            votes[speaker].add("caller")
            evidence.append(f'speaker {speaker} introduces themselves ("{found.group(0).strip()}")')
    named = {s: next(iter(v)) for s, v in votes.items() if len(v) == 1}
    if len(named) == 2 and named[1] == named[2]:
        return {}, "both voices seem to be the " + named[1] + ": " + "; ".join(evidence)
    if any(len(v) > 1 for v in votes.values()):
        return {}, "the evidence disagrees: " + "; ".join(evidence)
    if not named:
        return {}, "no introduction or bare answer heard: roles unknown"
    speaker, role = next(iter(named.items()))
    other = 2 if speaker == 1 else 1
    return {speaker: role, other: ROLES[1 - ROLES.index(role)]}, "; ".join(evidence)

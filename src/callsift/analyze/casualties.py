"""Casualty statements: killed, wounded, missing and lost, with counts and shares.

These rules live apart from ``military`` because they work, and are read, as
one piece: a casualty word ("убитых", "двухсотые", "без вести") means little
until a count, a "нет", a share of a unit or a loss verb is tied to it, and the
readings they produce overlap and are pruned to one per statement. Units,
equipment and orders are each matched on their own and need none of this. The
rules read the segment that ``military.extract_military`` builds and use its
unit and equipment tables and its percent helper (imported from there, not
copied); ``extract_military`` calls ``find_casualties`` and merges what it
returns with its other mentions.

Each ``casualty`` mention has ``kind`` ``killed``, ``wounded``, ``missing`` or
``lost``; ``value`` the count when one is said (0 for "убитых нет"),
``fraction`` the share lost. When the speaker says what *remains* ("осталась
треть роты") ``fraction`` is the share lost (2/3) and ``attrs["remaining"]``
the share said. Equipment losses with a count ("потеряли три машины") are
``lost`` with ``attrs["of"] = "equipment"`` ("unit" for "потеряли два
батальона"), so one query finds every loss figure.
"""

from __future__ import annotations

import re

from callsift.analyze.military import _UNIT_NOUNS, _equipment_of, _percent, _Segment
from callsift.analyze.negation import negated
from callsift.analyze.numbers import lemma_forms
from callsift.records import Mention

__all__ = ["find_casualties"]

_KILLED = {"убитый", "вбитий", "убитий", "погибший", "загиблий", "погибнуть", "загинути",
           "полечь", "двухсотый", "двохсотий"}  # fmt: skip
_WOUNDED = {"раненый", "раненный", "ранить", "поранить", "ранений", "поранений", "поранити",
            "ранити", "трехсотый", "трьохсотий"}  # fmt: skip
_KILLED_VERB = re.compile(r"^[ув]би(?:л[аои]?|т[аоыі]?)$")
_PEOPLE = {"человек", "чоловік", "людина", "люди", "наш", "пацан", "боец", "боєць", "солдат",
           "парень", "хлопець", "ребята", "мужик", "личный", "состав", "особовий"}  # fmt: skip
# Words that may stand between a count and its casualty word ("12 наших убитых", "у нас трое").
_NEAR_COUNT = _PEOPLE | {"у", "нас", "ми", "мы", "еще", "уже", "ще", "вже", "всего"}
_NONE = {"нет", "нету", "немає", "нема"}
_FRACTIONS = {"половина": 0.5, "треть": 1 / 3, "третина": 1 / 3, "четверть": 0.25, "чверть": 0.25}
_LOSE = {"потерять", "втратити", "потеря", "втрата", "выбыть", "лишиться"}
_REMAIN = {"остаться", "залишитися"}
_DESTROY = _LOSE | {"сгореть", "згоріти", "подбить", "підбити", "уничтожить", "знищити", "сжечь",
                    "спалить", "спалити", "разбить", "розбити"}  # fmt: skip
_VEHICLES = {"техника", "техніка", "машина", "коробка", "коробочка"}


def find_casualties(seg: _Segment) -> list[Mention]:
    """Every casualty statement in a segment built by ``military.extract_military``."""
    found = _losses(seg)
    for i in range(len(seg.tokens)):
        kind = _casualty_kind(seg, i)
        cargo = seg.number_from(i + 1) if seg.has(i, {"груз", "вантаж"}) else None
        if kind is not None:
            found.append(_counted(seg, i, i, kind))
        elif cargo is not None and cargo.value in (200, 300) and seg.joined(i, i + 1):
            kind = "killed" if cargo.value == 200 else "wounded"
            found.append(_counted(seg, i, seg.index_at(cargo.end - 1), kind))
        found += [m for m in (_missing(seg, i), _fraction(seg, i)) if m is not None]
    # One statement, one mention: counted ones first, then the longer.
    found.sort(
        key=lambda m: (
            m.value is None and m.fraction is None,
            m.kind == "lost",
            m.start_char - m.end_char,
        )
    )
    kept: list[Mention] = []
    for mention in found:
        if all(mention.end_char <= k.start_char or mention.start_char >= k.end_char for k in kept):
            kept.append(mention)
    # "Ты не ранен?" asks; a question with a figure in it ("двенадцать убитых?") still counts.
    # "Никого не убили", "не було поранених" deny: no figure at all.
    return [
        m
        for m in kept
        if (m.value is not None or m.fraction is not None or not _asked(seg, m))
        and not _denied(seg, m)
    ]


def _denied(seg: _Segment, mention: Mention) -> bool:
    first, last = seg.index_at(mention.start_char), seg.index_at(mention.end_char - 1)
    return negated([t.text for t in seg.tokens], seg.forms, seg.clause, first, last)


def _casualty_kind(seg: _Segment, i: int) -> str | None:
    """killed/wounded for a word that names casualties by itself ("убитых", "200-е")."""
    if seg.has(i + 1, _UNIT_NOUNS):  # "двухсотая бригада" is a unit
        return None
    number = seg.number_from(i)
    if number is not None and number.ordinal and seg.text[number.start].isdigit():
        plural = re.search(r"-(е|ые|х|ых|ті|тих|і|их)$", seg.tokens[i].text.lower())
        return {200: "killed", 300: "wounded"}.get(int(number.value)) if plural else None
    if seg.has(i, _KILLED) or _KILLED_VERB.match(seg.tokens[i].text.lower()):
        return "killed"
    return "wounded" if seg.has(i, _WOUNDED) else None


def _counted(seg: _Segment, i: int, j: int, kind: str) -> Mention:
    """A casualty mention for tokens ``i..j`` with the count said next to them, if any."""
    for step, edge in ((-1, i), (1, j)):
        k = edge + step
        while seg.has(k, _NEAR_COUNT) and abs(k - edge) <= 2:
            k += step
        if not (seg.joined(min(k, edge), max(k, edge)) and 0 <= k < len(seg.tokens)):
            continue
        number = seg.number_before(k) if step < 0 else seg.number_from(k)
        if number is not None and not number.ordinal:
            end = seg.index_at(number.end - 1) if step > 0 else j
            if step > 0 and seg.has(end + 1, _PEOPLE) and seg.joined(end, end + 1):
                end += 1  # "погибли двенадцать человек"
            start = seg.index_at(number.start) if step < 0 else i
            return seg.mention("casualty", start, end, kind, value=number.value, kind=kind)
    for k in (i - 1, j + 1):
        if seg.has(k, _NONE) and seg.joined(min(k, i), max(k, j)):
            return seg.mention("casualty", min(k, i), max(k, j), kind, value=0.0, kind=kind)
    return seg.mention("casualty", i, j, kind, kind=kind)


def _missing(seg: _Segment, i: int) -> Mention | None:
    """ "пропали без вести", "безвісти зниклих"."""
    word = seg.tokens[i].text.lower()
    if word in ("безвести", "безвісти"):
        j = i
    elif word == "без" and seg.has(i + 1, {"вести", "вісти", "весть"}) and seg.joined(i, i + 1):
        j = i + 1
    else:
        return None
    gone = {"пропасть", "пропавший", "зникнути", "зниклий"}
    if seg.has(i - 1, gone) and seg.joined(i - 1, i):
        i -= 1
    elif seg.has(j + 1, gone) and seg.joined(j, j + 1):
        j += 1
    return _counted(seg, i, j, "missing")


def _share(seg: _Segment, i: int) -> tuple[int, int, float] | None:
    """First and last token and the share of "половина", "две трети", "30 %", "полроты"."""
    word = seg.tokens[i].text.lower()
    number = seg.number_from(i)
    if number is not None:
        last = _percent(seg, number)
        return None if last is None else (i, last, number.value / 100)
    share = next((_FRACTIONS[f] for f in sorted(seg.forms[i]) if f in _FRACTIONS), None)
    if share is not None:
        count = seg.number_before(i - 1)
        if count is not None and count.value in (2, 3) and share < 0.5 and seg.joined(i - 1, i):
            return seg.index_at(count.start), i, share * count.value
        return i, i, share
    if word.startswith(("пол", "пів")) and lemma_forms(word[3:].lstrip("-")) & _UNIT_NOUNS.keys():
        return i, i, 0.5
    if word in ("пол", "пів") and seg.has(i + 1, _UNIT_NOUNS):
        return i, i + 1, 0.5
    if seg.has(i, {"весь", "увесь"}):  # "весь полк погиб", "полк почти весь погиб"
        unit = next(
            (k for k in (i - 1, i - 2) if seg.has(k, _UNIT_NOUNS) and seg.joined(k, i)), None
        )
        if unit is not None or seg.has(i + 1, _UNIT_NOUNS):
            return (i if unit is None else unit), i, 1.0
    return None


def _fraction(seg: _Segment, i: int) -> Mention | None:
    """ "осталась половина полка", "потеряли треть техники", "половина роты погибла"."""
    shared = _share(seg, i)
    if shared is None:
        return None
    first, last, share = shared
    obj = _object_after(seg, last)
    clause = [k for k in range(len(seg.tokens)) if seg.clause[k] == seg.clause[i]]
    of = None if obj is None else _object(seg, obj)
    lose = _DESTROY if of == "equipment" else _LOSE
    for k in sorted(clause, key=lambda k: abs(k - i)):
        kind = _casualty_kind(seg, k) or (
            "lost" if seg.has(k, lose) else "remain" if seg.has(k, _REMAIN) else None
        )
        if kind is None or (kind in ("lost", "remain") and obj is None):
            continue
        attrs: dict[str, object] = {"of": "equipment"} if of == "equipment" else {}
        if kind == "remain":
            kind, attrs["remaining"], share = "lost", share, 1 - share
        span = (min(first, k), max(k, obj if obj is not None else last))
        return seg.mention("casualty", *span, kind, fraction=share, kind=kind, attrs=attrs)
    return None


def _object(seg: _Segment, k: int) -> str | None:
    """What a share or count is of: ``people`` ("бойцов"), ``unit`` ("роты"), ``equipment``."""
    if seg.has(k, _VEHICLES) or (0 <= k < len(seg.tokens) and _equipment_of(seg.tokens[k].text)):
        return "equipment"
    return "unit" if seg.has(k, _UNIT_NOUNS) else "people" if seg.has(k, _PEOPLE) else None


def _object_after(seg: _Segment, last: int) -> int | None:
    """The last token of what the number or share at ``last`` counts ("нашей роты")."""
    obj = next((k for k in (last + 1, last + 2) if seg.joined(last, k) and _object(seg, k)), None)
    while (
        obj is not None and _object(seg, obj + 1) in ("people", "unit") and seg.joined(obj, obj + 1)
    ):
        obj += 1
    return obj


def _losses(seg: _Segment) -> list[Mention]:
    """ "потеряли три машины", "сгорело два танка", "потеряли двенадцать человек"."""
    found = []
    for number in seg.numbers:
        if number.ordinal:
            continue
        last = seg.index_at(number.end - 1)
        obj = _object_after(seg, last)
        if obj is None or _percent(seg, number) is not None:
            continue
        of = _object(seg, obj)
        verbs = _DESTROY if of == "equipment" else _LOSE
        first = seg.index_at(number.start)
        verb = next(
            (
                k
                for k in range(len(seg.tokens))
                if seg.clause[k] == seg.clause[first] and seg.has(k, verbs)
            ),
            None,
        )
        if verb is None:
            continue
        attrs: dict[str, object] = {} if of == "people" else {"of": of}  # "два батальона"
        hit = _equipment_of(seg.tokens[obj].text)
        if hit:
            attrs["equipment"] = hit[0]
        span = (min(first, verb), max(obj, verb))
        found.append(
            seg.mention("casualty", *span, "lost", value=number.value, kind="lost", attrs=attrs)
        )
    return found


def _asked(seg: _Segment, mention: Mention) -> bool:
    stop = re.compile(r"[.!?…]").search(seg.text, mention.end_char)
    return stop is not None and stop.group() == "?"

"""One number's file: its calls, the languages heard, places and units spoken of, flags.

An investigator who meets a number asks what else the case holds about it.
The profile answers from the graph (community, partners, betweenness) and from
the language layer's results for the number's calls. A number is looked up in
any written form, normalised as the metadata was, so ``8 (916) 555-23-41`` and
``+79165552341`` find the same node; a number that is not valid is found by
its text as written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from callsift.errors import CallsiftError
from callsift.graph.callgraph import NumberNode, node_key
from callsift.graph.numbers import normalize_number
from callsift.store.case import CaseStore
from callsift.store.graph import MentionCount, call_activity, call_languages, graph_calls

__all__ = ["NumberProfile", "ProfileCall", "find_number", "number_in_case", "number_profile"]


@dataclass(frozen=True)
class ProfileCall:
    """One call of a profiled number, from that number's side.

    Attributes:
        status: ``failed`` for a recording that could not be read (the call
            still took place, as far as the metadata goes).
        role: ``caller`` or ``receiver``.
        other: the other party's node key, ``None`` when the metadata names none.
        other_label: its known name or E.164 form.
        duration_s: the audio's length, else the metadata's duration.
        languages: the languages decided for the call's channels.
    """

    call_id: int
    file: str
    status: str
    started_at: str | None
    role: str
    other: str | None
    other_label: str | None
    duration_s: float | None
    languages: tuple[str, ...]


@dataclass(frozen=True)
class NumberProfile:
    """Everything the case holds about one number.

    Attributes:
        languages: calls per language heard in them (a mono recording holds
            both parties, so this is the language of the calls, not of the
            number's owner alone).
        places: places (``LOC``) spoken of in its calls.
        units: military units spoken of in its calls.
        flags: watchlist hits per topic in its calls.
    """

    number: NumberNode
    calls: tuple[ProfileCall, ...]
    languages: dict[str, int]
    places: tuple[MentionCount, ...]
    units: tuple[MentionCount, ...]
    flags: dict[str, int]
    total_calls: int = 0
    offset: int = 0


def find_number(graph: nx.Graph, number: str) -> str:
    """The node of ``number`` in any written form (``8 916 …``, ``+7 916 …``, ``raw:12345``)."""
    text = number.strip()
    if text in graph:
        return text
    key = node_key(normalize_number(text))
    if key in graph:
        return key
    raise CallsiftError(f"{number}: no call in this case involves this number (read as {key})")


def number_in_case(store: CaseStore, number: str) -> bool:
    """Whether any call of the case has ``number``, whatever the kept graph holds.

    A graph kept from before a run's last calls lacks their new numbers: such a
    number is not ready yet, which is not the same as unknown.
    """
    text = number.strip()
    keys = {text, node_key(normalize_number(text))}
    return any(graph_calls(store, number=key) for key in keys)


def number_profile(
    store: CaseStore, graph: nx.Graph, number: str, offset: int = 0, limit: int | None = None
) -> NumberProfile:
    """One number's calls, languages, places and units spoken of, flags, community, centrality.

    ``offset`` and ``limit`` pick the calls listed (a busy number has
    thousands); the languages, places, units and flags count every call.
    """
    key = find_number(graph, number)
    mine: list[ProfileCall] = []
    calls = graph_calls(store, number=key)
    languages = call_languages(store, [c.call_id for c in calls])
    listed = calls[offset:] if limit is None else calls[offset : offset + limit]
    for call in listed:
        caller = call.caller is not None and node_key(call.caller) == key
        other = call.receiver if caller else call.caller
        other_key = node_key(other) if other is not None else None
        mine.append(
            ProfileCall(
                call_id=call.call_id,
                file=call.file,
                status=call.status,
                started_at=call.started_at,
                role="caller" if caller else "receiver",
                other=other_key,
                other_label=graph.nodes[other_key]["label"] if other_key in graph else None,
                duration_s=call.duration_s,
                languages=languages.get(call.call_id, ()),
            )
        )
    activity = call_activity(store, [c.call_id for c in calls])
    heard = Counter(lang for langs in languages.values() for lang in langs)
    return NumberProfile(
        number=NumberNode(key=key, **graph.nodes[key]),
        calls=tuple(mine),
        languages=dict(sorted(heard.items(), key=lambda item: (-item[1], item[0]))),
        places=activity.places,
        units=activity.units,
        flags=activity.flags,
        total_calls=len(calls),
        offset=offset,
    )

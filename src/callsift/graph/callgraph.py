"""Who called whom: the case's phone numbers as a graph, its communities and its hubs.

Journalists found units and families in intercepted calls by following numbers:
who rings whom, how often, who links two circles. Here every number is a node
(its E.164 form when valid, else ``raw:`` and the text as written, so a number
nobody could read stays visible and marked invalid) and every pair of numbers
that spoke is one edge carrying the number of calls, their total duration,
the first and last date and the call ids.

The graph is undirected (``networkx.Graph``): Louvain communities and
betweenness ask who is in touch with whom, and a son who calls his mother and
the mother who calls back are one relationship, not two. Direction is kept
on the edge as counts (``calls_a_to_b``, ``calls_b_to_a`` between the sorted
``party_a`` and ``party_b``), so nothing the metadata says is lost.

A call counts when the metadata names its numbers, whether or not the audio
could be read: a corrupt recording (``call_020.mp3`` in the demo) is still a
call the intercept log says took place. Its duration is then the metadata's;
for a processed call it is the audio's, which the metadata sometimes gets
wrong. Communities (Louvain, weighted by calls) and centrality are computed
with a fixed seed, so the same case always gives the same answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx

from callsift.errors import CallsiftError
from callsift.graph.graphio import GraphFormat, draw_graph, graph_format, write_graph
from callsift.graph.numbers import PhoneNumber
from callsift.graph.phones import number_case, number_key
from callsift.store.blobs import sha256_file
from callsift.store.case import CaseStore
from callsift.store.graph import (
    GraphCall,
    KnownNumber,
    log_graph_export,
)

__all__ = [
    "SEED",
    "CallEdge",
    "Centrality",
    "Community",
    "GraphCall",
    "GraphExport",
    "GraphSummary",
    "KnownNumber",
    "NumberNode",
    "build_graph",
    "case_graph",
    "draw_graph",
    "edges_of",
    "export_case_graph",
    "graph_summary",
    "node_key",
    "nodes_of",
]

SEED = 4
"""Seed of Louvain's node order and of sampled betweenness: same case, same answer."""

BETWEENNESS_SOURCES = 500
"""Above this many numbers, betweenness is estimated from this many sampled sources
(exact betweenness took 1.5 s for 500 numbers and 27 s for 2,000 on one core)."""


@dataclass(frozen=True)
class NumberNode:
    """One number in the graph, as its node attributes hold it.

    Attributes:
        key: the node's name: E.164 (``+79035551708``) or ``raw:`` + the text.
        label: the known name(s) from the directories, else the E.164 form,
            else the number as written.
        e164: the E.164 form, ``None`` when the number is not valid.
        raw: every way the number was written in the metadata.
        valid, country, region, carrier, line_type: as ``PhoneNumber`` says.
        names: names the team's directories give this number (two or more is
            a conflict to resolve).
        units: units the directories give it.
        calls: calls this number took part in.
        community: the Louvain community it falls in (0 is the largest).
        degree: how many other numbers it spoke with.
        betweenness: share of shortest paths between other numbers that pass
            through it (a path is shorter where two numbers call more often).
    """

    key: str
    label: str
    e164: str | None
    raw: tuple[str, ...]
    valid: bool
    country: str | None
    region: str | None
    carrier: str | None
    line_type: str | None
    names: tuple[str, ...]
    units: tuple[str, ...]
    calls: int
    community: int = -1
    degree: int = 0
    betweenness: float = 0.0


@dataclass(frozen=True)
class CallEdge:
    """Every call between two numbers, summed (``party_a`` sorts before ``party_b``)."""

    party_a: str
    party_b: str
    calls: int
    calls_a_to_b: int
    calls_b_to_a: int
    total_duration_s: float
    first: str | None
    last: str | None
    call_ids: tuple[int, ...]


@dataclass(frozen=True)
class Community:
    """A group of numbers that call each other more than they call others: a lead
    to a unit or a family, never a finding by itself."""

    id: int
    members: tuple[str, ...]
    labels: tuple[str, ...]
    calls: int


@dataclass(frozen=True)
class Centrality:
    """How central one number is: partners, calls (weighted degree), betweenness."""

    key: str
    label: str
    community: int
    degree: int
    calls: int
    betweenness: float


@dataclass(frozen=True)
class GraphSummary:
    """The graph at a glance: sizes, every community, the most central numbers."""

    numbers: int
    invalid_numbers: int
    links: int
    calls: int
    communities: tuple[Community, ...]
    central: tuple[Centrality, ...]


@dataclass(frozen=True)
class GraphExport:
    """A written export of the graph, as the custody log records it."""

    path: str
    format: str
    sha256: str
    numbers: int
    links: int


def node_key(number: PhoneNumber) -> str:
    """The node a number belongs to: its E.164 form, or ``raw:`` + the text as written."""
    return number.e164 if number.valid and number.e164 else f"raw:{number.raw}"


def _moment(started_at: str | None) -> datetime | None:
    """``started_at`` as an aware time to order calls by (a naive time is read as UTC)."""
    if not started_at:
        return None
    try:
        moment = datetime.fromisoformat(started_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build_graph(
    calls: Iterable[GraphCall], known: Iterable[KnownNumber] = (), like: nx.Graph | None = None
) -> nx.Graph:
    """The call graph of ``calls``, with directory names, communities and centrality.

    A call naming only one number adds that number without an edge; a call
    from a number to itself is a self-loop, kept because it is what the
    metadata says. With ``like`` (the whole case's graph, for a period of it)
    each number keeps the community and betweenness it has there instead of
    having them computed again: the groups stay the case's, and a period is
    drawn at once.
    """
    numbers: dict[str, PhoneNumber] = {}
    written: defaultdict[str, set[str]] = defaultdict(set)
    involved: defaultdict[str, set[int]] = defaultdict(set)
    pairs: defaultdict[tuple[str, str], list[GraphCall]] = defaultdict(list)
    for call in calls:
        keys = []
        for number in (call.caller, call.receiver):
            if number is None:
                continue
            key = node_key(number)
            numbers.setdefault(key, number)
            written[key].add(number.raw)
            involved[key].add(call.call_id)
            keys.append(key)
        if len(keys) == 2:
            pairs[(min(keys), max(keys))].append(call)
    names: defaultdict[str, set[str]] = defaultdict(set)
    units: defaultdict[str, set[str]] = defaultdict(set)
    for entry in known:  # matched as the directory commands match (invalid: on digits)
        if entry.name:
            names[number_key(entry.raw, entry.e164)].add(entry.name)
        if entry.unit:
            units[number_key(entry.raw, entry.e164)].add(entry.unit)
    graph = nx.Graph()
    for key in sorted(numbers):
        number = numbers[key]
        match = number_key(number.raw, number.e164)
        label = " / ".join(sorted(names[match])) or number.e164 or number.raw
        node = NumberNode(
            key=key,
            label=label,
            e164=number.e164,
            raw=tuple(sorted(written[key])),
            valid=number.valid,
            country=number.country,
            region=number.region,
            carrier=number.carrier,
            line_type=number.line_type,
            names=tuple(sorted(names[match])),
            units=tuple(sorted(units[match])),
            calls=len(involved[key]),
        )
        graph.add_node(key, **{k: v for k, v in asdict(node).items() if k != "key"})
    for (a, b), between in sorted(pairs.items()):
        graph.add_edge(a, b, **asdict(_edge(a, b, between)))
    if like is None:
        _annotate(graph)
    else:
        for key in graph:
            known_there = like.nodes[key] if key in like else {}
            graph.nodes[key]["community"] = known_there.get("community", -1)
            graph.nodes[key]["degree"] = len(set(graph[key]) - {key})
            graph.nodes[key]["betweenness"] = known_there.get("betweenness", 0.0)
    return graph


def _edge(a: str, b: str, calls: list[GraphCall]) -> CallEdge:
    dated = sorted(
        ((moment, call.started_at) for call in calls if (moment := _moment(call.started_at))),
        key=lambda pair: pair[0],
    )
    from_a = sum(1 for call in calls if call.caller and node_key(call.caller) == a)
    return CallEdge(
        party_a=a,
        party_b=b,
        calls=len(calls),
        calls_a_to_b=from_a,
        calls_b_to_a=len(calls) - from_a,
        total_duration_s=round(sum(call.duration_s or 0.0 for call in calls), 3),
        first=dated[0][1] if dated else None,
        last=dated[-1][1] if dated else None,
        call_ids=tuple(sorted(call.call_id for call in calls)),
    )


def _annotate(graph: nx.Graph) -> None:
    """Write each node's community, partner count and betweenness into the graph."""
    groups = nx.community.louvain_communities(graph, weight="calls", seed=SEED)
    ordered = sorted((sorted(group) for group in groups), key=lambda g: (-len(g), g[0]))
    for community, members in enumerate(ordered):
        for key in members:
            graph.nodes[key]["community"] = community
    # Shortest paths run along frequent contact: a pair that spoke often is close.
    distances = nx.Graph()
    distances.add_nodes_from(graph)
    distances.add_edges_from(
        (a, b, {"d": 1.0 / data["calls"]}) for a, b, data in graph.edges(data=True)
    )
    sample = BETWEENNESS_SOURCES if len(graph) > BETWEENNESS_SOURCES else None
    betweenness = nx.betweenness_centrality(distances, k=sample, weight="d", seed=SEED)
    for key in graph:
        graph.nodes[key]["degree"] = len(set(graph[key]) - {key})
        graph.nodes[key]["betweenness"] = round(betweenness[key], 6)


def nodes_of(graph: nx.Graph) -> list[NumberNode]:
    """Every node as a record, in key order."""
    return [NumberNode(key=key, **data) for key, data in graph.nodes(data=True)]


def edges_of(graph: nx.Graph) -> list[CallEdge]:
    """Every edge as a record, in the order the graph holds them."""
    names = [f.name for f in fields(CallEdge)]
    return [CallEdge(**{n: data[n] for n in names}) for _, _, data in graph.edges(data=True)]


def graph_summary(graph: nx.Graph, top: int = 10) -> GraphSummary:
    """Sizes, every community with its members and internal calls, the ``top`` central."""
    nodes = nodes_of(graph)
    members: defaultdict[int, list[NumberNode]] = defaultdict(list)
    for node in nodes:
        members[node.community].append(node)
    inside: Counter[int] = Counter()
    for edge in edges_of(graph):
        if graph.nodes[edge.party_a]["community"] == graph.nodes[edge.party_b]["community"]:
            inside[graph.nodes[edge.party_a]["community"]] += edge.calls
    communities = tuple(
        Community(
            id=cid,
            members=tuple(n.key for n in group),
            labels=tuple(n.label for n in group),
            calls=inside[cid],
        )
        for cid, group in sorted(members.items())
    )
    ranked = sorted(nodes, key=lambda n: (-n.betweenness, -n.calls, -n.degree, n.key))
    central = tuple(
        Centrality(n.key, n.label, n.community, n.degree, n.calls, n.betweenness)
        for n in ranked[:top]
    )
    return GraphSummary(
        numbers=len(nodes),
        invalid_numbers=sum(1 for n in nodes if not n.valid),
        links=graph.number_of_edges(),
        calls=len({cid for edge in edges_of(graph) for cid in edge.call_ids}),
        communities=communities,
        central=central,
    )


def case_graph(store: CaseStore, *, refresh_numbers: bool = True) -> nx.Graph:
    """The call graph of the whole case.

    With ``refresh_numbers`` (the default) the numbers are first read again
    from the metadata (``number_case``), so the graph never lags behind a
    corrected sidecar; that rewrites derived rows only, never evidence, and
    only where they changed. The graph and its analytics are computed once
    per change of the call graph (``graph.cache``), for the CLI as for the web.
    """
    from callsift.graph.cache import case_graph_cached  # it builds with this module

    if refresh_numbers:
        number_case(store)
    return case_graph_cached(store).graph


def export_case_graph(
    store: CaseStore, path: Path, fmt: GraphFormat | str | None = None
) -> GraphExport:
    """Write the case's graph to ``path`` (format from ``fmt`` or the suffix) and log it."""
    chosen = graph_format(path, fmt)
    if not path.parent.is_dir():
        raise CallsiftError(f"{path}: the folder {path.parent} does not exist")
    graph = case_graph(store)
    write_graph(graph, path, chosen)
    digest = sha256_file(path)
    numbers, links = graph.number_of_nodes(), graph.number_of_edges()
    log_graph_export(store, str(path.resolve()), chosen.value, digest, numbers=numbers, links=links)
    return GraphExport(str(path), chosen.value, digest, numbers, links)

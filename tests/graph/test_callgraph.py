"""The call graph: planted groups come back, bridges rank first, every export reopens."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from typer.testing import CliRunner

from callsift.cli import app
from callsift.graph.callgraph import (
    CallEdge,
    GraphCall,
    KnownNumber,
    build_graph,
    case_graph,
    draw_graph,
    edges_of,
    export_case_graph,
    graph_summary,
    node_key,
    nodes_of,
)
from callsift.graph.graphio import GraphFormat, write_graph
from callsift.graph.numbers import normalize_number
from callsift.graph.profiles import number_profile
from callsift.store import CaseStore, list_calls, sha256_file


def call(
    call_id: int,
    caller: str | None,
    receiver: str | None,
    started_at: str | None = None,
    audio_s: float | None = 20.0,
    metadata_duration_s: float | None = None,
    status: str = "done",
) -> GraphCall:
    return GraphCall(
        call_id=call_id,
        file=f"call_{call_id:03}.wav",
        status=status,
        started_at=started_at,
        audio_s=audio_s,
        metadata_duration_s=metadata_duration_s,
        caller=normalize_number(caller) if caller else None,
        receiver=normalize_number(receiver) if receiver else None,
    )


# Three circles of five numbers (every pair calls both ways), written the ways
# metadata sheets write them, joined by one call A0-B0 and one call B0-C0.
GROUPS = {
    "A": [f"+7 903 555 10 0{i}" for i in range(5)],
    "B": [f"8 (916) 555-20-0{i}" for i in range(5)],
    "C": [f"067 555 30 0{i}" for i in range(5)],
}


def e164(raw: str) -> str:
    number = normalize_number(raw)
    assert number.e164 is not None, raw
    return number.e164


def planted() -> list[GraphCall]:
    calls: list[GraphCall] = []
    for members in GROUPS.values():
        for a, b in itertools.combinations(members, 2):
            calls += [call(len(calls) + 1, a, b), call(len(calls) + 2, b, a)]
    calls.append(call(len(calls) + 1, GROUPS["A"][0], GROUPS["B"][0]))
    calls.append(call(len(calls) + 1, GROUPS["B"][0], GROUPS["C"][0]))
    return calls


def test_communities_recover_the_planted_groups() -> None:
    summary = graph_summary(build_graph(planted()))
    assert {frozenset(c.members) for c in summary.communities} == {
        frozenset(e164(n) for n in members) for members in GROUPS.values()
    }
    assert [c.calls for c in summary.communities] == [20, 20, 20]  # bridges are not inside
    assert (summary.numbers, summary.links, summary.calls) == (15, 32, 62)


def test_the_bridge_number_is_the_most_central() -> None:
    summary = graph_summary(build_graph(planted()), top=3)
    bridge, *ends = summary.central
    assert bridge.key == e164(GROUPS["B"][0])
    assert {c.key for c in ends} == {e164(GROUPS["A"][0]), e164(GROUPS["C"][0])}
    assert bridge.betweenness > ends[0].betweenness > 0
    assert (bridge.degree, bridge.calls) == (6, 10)


def test_the_same_calls_give_the_same_graph() -> None:
    first, second = build_graph(planted()), build_graph(planted())
    assert nodes_of(first) == nodes_of(second)
    assert edges_of(first) == edges_of(second)


def test_an_edge_sums_both_directions_and_orders_dates_across_offsets() -> None:
    calls = [
        call(1, "+7 903 555 17 08", "8 (916) 555-23-41", "2022-03-04T19:12:40+03:00", 21.2),
        # corrupt audio: the metadata's duration counts
        call(2, "+7 (916) 555 23 41", "79035551708", "2022-03-04T17:00:00+00:00", None, 41.0),
        call(3, "+79035551708", "+79165552341", "2022-03-04T01:00:00+03:00", 10.0, 99.0),
        call(4, "+79035551708", "+79165552341", "2022-03-03T23:30:00+00:00", None, None),
        call(5, "+79035551708", "+79165552341", None, 5.0),
    ]
    assert edges_of(build_graph(calls)) == [
        CallEdge(
            party_a="+79035551708",
            party_b="+79165552341",
            calls=5,
            calls_a_to_b=4,
            calls_b_to_a=1,
            total_duration_s=77.2,
            first="2022-03-04T01:00:00+03:00",
            last="2022-03-04T17:00:00+00:00",
            call_ids=(1, 2, 3, 4, 5),
        )
    ]


def test_invalid_numbers_stay_and_directory_names_label_their_numbers() -> None:
    graph = build_graph(
        [call(1, "+7 903 555 17 08", "12345"), call(2, "+7 916 555 88 02", None)],
        [
            KnownNumber("team.csv", "8 903 555-17-08", "+79035551708", "Серёжа К.", "331 полк"),
            KnownNumber("ngo.vcf", "+7 903 555 17 08", "+79035551708", "С. Кузнецов", ""),
            KnownNumber("team.csv", "12-345", None, "handset at the checkpoint", ""),
        ],
    )
    nodes = {node.key: node for node in nodes_of(graph)}
    assert set(nodes) == {"+79035551708", "raw:12345", "+79165558802"}
    invalid = nodes["raw:12345"]
    assert (invalid.valid, invalid.e164, invalid.raw) == (False, None, ("12345",))
    assert invalid.label == "handset at the checkpoint"
    known = nodes["+79035551708"]
    assert known.names == ("С. Кузнецов", "Серёжа К.") and known.units == ("331 полк",)
    assert known.label == "С. Кузнецов / Серёжа К."
    alone = nodes["+79165558802"]  # a call naming one number: a node, no edge
    assert (alone.calls, alone.degree, graph.degree("+79165558802")) == (1, 0, 0)
    assert graph.number_of_edges() == 1


@pytest.fixture(scope="module")
def demo(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseStore]:
    root = tmp_path_factory.mktemp("graph") / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as store:
        yield store


@pytest.fixture(scope="module")
def demo_graph(demo: CaseStore) -> nx.Graph:
    return case_graph(demo)


def ids(store: CaseStore) -> dict[str, int]:
    return {name: c.id for c in list_calls(store) for name in c.names}


def test_every_metadata_number_is_one_node(demo: CaseStore, demo_graph: nx.Graph) -> None:
    metadata = [c.metadata for c in list_calls(demo) if c.metadata]
    written = [m[role] for m in metadata for role in ("caller", "receiver") if m.get(role)]
    assert len(written) > len(demo_graph) > 30  # some numbers recur, written differently
    assert set(demo_graph) == {node_key(normalize_number(raw)) for raw in written}
    assert not demo_graph.nodes["raw:12345"]["valid"]


def test_a_corrupt_call_with_metadata_is_still_an_edge(
    demo: CaseStore, demo_graph: nx.Graph
) -> None:
    calls = ids(demo)
    edge = CallEdge(**demo_graph.edges["+79035551708", "+79165552341"])
    first = next(c for c in list_calls(demo) if c.file == "call_001.wav")
    assert edge.call_ids == (calls["call_001.wav"], calls["call_020.mp3"])
    assert (edge.calls, edge.calls_a_to_b, edge.calls_b_to_a) == (2, 2, 0)
    assert first.duration_s is not None
    assert edge.total_duration_s == pytest.approx(first.duration_s + 41.0)  # call_020: metadata
    assert (edge.first, edge.last) == ("2022-03-04T19:12:40+03:00", "2022-03-18T15:33:27+03:00")


def test_one_number_written_two_ways_is_one_node(demo: CaseStore, demo_graph: nx.Graph) -> None:
    node = demo_graph.nodes["+380671234567"]
    assert node["raw"] == ("+380 67 123 4567", "067 123 45 67")
    assert set(demo_graph["+380671234567"]) == {"+380445550101", "+380675553311"}
    profile = number_profile(demo, demo_graph, "(067) 123-45-67")
    assert [(c.file, c.role, c.other) for c in profile.calls] == [
        ("call_014.wav", "caller", "+380445550101"),
        ("call_016.amr", "receiver", "+380675553311"),
    ]
    assert profile.number.community == demo_graph.nodes["+380445550101"]["community"]


def test_a_profile_holds_places_flags_and_languages(demo: CaseStore, demo_graph: nx.Graph) -> None:
    profile = number_profile(demo, demo_graph, "8 903 555 17 08")
    assert [(c.file, c.status, c.languages) for c in profile.calls] == [
        ("call_001.wav", "done", ("ru",)),
        ("call_020.mp3", "failed", ()),
    ]
    assert ("Буча", "Bucha") in [(p.normal, p.english) for p in profile.places]
    assert profile.languages == {"ru": 1} and profile.flags


def same_structure(read: nx.Graph, graph: nx.Graph) -> None:
    assert set(read) == set(graph)
    assert {frozenset(e) for e in read.edges} == {frozenset(e) for e in graph.edges}
    for a, b, data in graph.edges(data=True):
        assert read.edges[a, b]["calls"] == data["calls"]
        assert read.edges[a, b]["call_ids"] == ";".join(map(str, data["call_ids"]))
    assert read.nodes["+380671234567"]["raw"] == "+380 67 123 4567;067 123 45 67"
    assert read.nodes["raw:12345"]["valid"] is False


def test_graphml_and_gexf_open_again_with_networkx(demo_graph: nx.Graph, tmp_path: Path) -> None:
    write_graph(demo_graph, tmp_path / "g.graphml", GraphFormat.graphml)
    write_graph(demo_graph, tmp_path / "g.gexf", GraphFormat.gexf)
    same_structure(nx.read_graphml(tmp_path / "g.graphml"), demo_graph)
    same_structure(nx.read_gexf(tmp_path / "g.gexf"), demo_graph)


def test_csv_rows_are_the_edges(demo_graph: nx.Graph, tmp_path: Path) -> None:
    write_graph(demo_graph, tmp_path / "edges.csv", GraphFormat.csv)
    with open(tmp_path / "edges.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [
        (r["source"], r["target"], int(r["calls"]), float(r["total_duration_s"]), r["call_ids"])
        for r in rows
    ] == [
        (e.party_a, e.party_b, e.calls, e.total_duration_s, ";".join(map(str, e.call_ids)))
        for e in edges_of(demo_graph)
    ]
    undated = [(r["source"], r["first"], r["last"]) for r in rows if not r["first"]]
    assert undated == [("+74955553030", "", "")]  # call_012: "32 March" is no date


def test_pictures_are_real_images_and_the_same_every_time(
    demo_graph: nx.Graph, tmp_path: Path
) -> None:
    draw_graph(demo_graph, tmp_path / "g.png", "png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("a.svg", "b.svg"):
        draw_graph(demo_graph, tmp_path / name, "svg")
    root = ElementTree.parse(tmp_path / "a.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "+380671234567" in (tmp_path / "a.svg").read_text(encoding="utf-8")  # labels as text
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_an_export_is_logged_with_its_hash(demo: CaseStore, tmp_path: Path) -> None:
    result = export_case_graph(demo, tmp_path / "calls.GEXF")
    assert result.format == "gexf" and result.sha256 == sha256_file(tmp_path / "calls.GEXF")
    entry = demo.custody()[-1]
    assert (entry["action"], entry["sha256"]) == ("graph-export", result.sha256)
    assert entry["detail"]["numbers"] == result.numbers > 30


runner = CliRunner()


def test_cli_summary_profile_and_export(
    demo: CaseStore, demo_graph: nx.Graph, tmp_path: Path
) -> None:
    case = ["--case", str(demo.root)]
    summary = json.loads(runner.invoke(app, ["graph", "summary", "--json", *case]).stdout)
    assert (summary["numbers"], summary["links"]) == (len(demo_graph), demo_graph.number_of_edges())
    assert summary["invalid_numbers"] >= 1
    assert any(
        set(c["members"]) == {"+79035551708", "+79165552341"} for c in summary["communities"]
    )
    profile = runner.invoke(app, ["graph", "profile", "+7 (916) 555 23 41", "--json", *case])
    assert json.loads(profile.stdout)["number"]["key"] == "+79165552341"
    export = runner.invoke(app, ["graph", "export", "-o", str(tmp_path / "g.svg"), *case])
    assert export.exit_code == 0 and (tmp_path / "g.svg").stat().st_size > 1000
    unknown = runner.invoke(app, ["graph", "export", "-o", str(tmp_path / "g.dot"), *case])
    assert unknown.exit_code == 1 and "g.dot" in unknown.output and "--format" in unknown.output
    missing = runner.invoke(app, ["graph", "profile", "+7 999 000 00 00", *case])
    assert missing.exit_code == 1 and "no call in this case" in missing.output

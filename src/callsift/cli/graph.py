"""``callsift graph summary``, ``profile`` and ``export``: who called whom."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from callsift.cli import app
from callsift.cli.options import CaseOption, JsonOption, open_case, out, print_json
from callsift.graph.callgraph import GraphSummary, case_graph, export_case_graph, graph_summary
from callsift.graph.graphio import GraphFormat
from callsift.graph.profiles import NumberProfile, number_profile

graph_app = typer.Typer(
    help="The call graph: numbers, who called whom, communities, profiles, exports.",
    no_args_is_help=True,
)
app.add_typer(graph_app, name="graph")


@graph_app.command()
def summary(
    case: CaseOption = Path("case"),
    top: Annotated[int, typer.Option(help="How many central numbers to list.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Numbers, links, communities with their members, and the most central numbers.

    A community is a group of numbers that call each other more than others:
    a lead to a unit or a family. Betweenness is high for a number that links
    groups.

    Example: callsift graph summary --top 5 --json
    """
    with open_case(case) as store:
        result = graph_summary(case_graph(store), top)
    if as_json:
        print_json(result)
        return
    _print_summary(result)


def _print_summary(result: GraphSummary) -> None:
    out.print(
        f"{result.numbers} numbers ({result.invalid_numbers} not valid as written),"
        f" {result.links} links, {result.calls} calls, {len(result.communities)} communities"
    )
    groups = Table("community", "numbers", "calls inside", "members", title="Communities")
    for community in result.communities:
        groups.add_row(
            str(community.id),
            str(len(community.members)),
            str(community.calls),
            escape(", ".join(community.labels)),
        )
    out.print(groups)
    central = Table(
        "number", "name / E.164", "community", "partners", "calls", "betweenness", title="Central"
    )
    for row in result.central:
        central.add_row(
            escape(row.key),
            escape(row.label),
            str(row.community),
            str(row.degree),
            str(row.calls),
            f"{row.betweenness:.3f}",
        )
    out.print(central)


@graph_app.command()
def profile(
    number: Annotated[str, typer.Argument(help="The number in any written form.")],
    case: CaseOption = Path("case"),
    as_json: JsonOption = False,
) -> None:
    """One number: its calls, languages, places and units spoken of, flags, community.

    The number may be written any way ("8 (916) 555-23-41", "+79165552341");
    a number that is not valid is found by its text as written ("12345").

    Example: callsift graph profile "+7 903 555 17 08" --json
    """
    with open_case(case) as store:
        result = number_profile(store, case_graph(store), number)
    if as_json:
        print_json(result)
        return
    _print_profile(result)


def _print_profile(result: NumberProfile) -> None:
    node = result.number
    validity = "valid" if node.valid else "[red]not valid as written[/red]"
    out.print(f"[bold]{escape(node.label)}[/bold]  {escape(node.key)}  {validity}")
    written = ", ".join(node.raw)
    out.print(f"written as: {escape(written)}")
    details = (node.country, node.region, node.carrier, node.line_type)
    out.print(escape(" · ".join(d for d in details if d)))
    if node.names:
        out.print(f"directories: {escape(', '.join(node.names))} {escape(', '.join(node.units))}")
    out.print(
        f"community {node.community}, {node.degree} partners, {node.calls} calls,"
        f" betweenness {node.betweenness:.3f}"
    )
    calls = Table("call", "file", "started", "role", "other party", "duration", "languages")
    for call in result.calls:
        calls.add_row(
            str(call.call_id),
            escape(call.file + ("" if call.status == "done" else f" [{call.status}]")),
            escape(call.started_at or ""),
            call.role,
            escape(call.other_label or ""),
            f"{call.duration_s:.1f}s" if call.duration_s is not None else "",
            ", ".join(call.languages),
        )
    out.print(calls)
    for title, counts in (("places", result.places), ("units", result.units)):
        if counts:
            listed = ", ".join(
                m.normal + (f" ({m.english})" if m.english else "") + f" ×{m.mentions}"
                for m in counts
            )
            out.print(f"{title}: {escape(listed)}")
    if result.languages:
        out.print("languages: " + ", ".join(f"{k} {n}" for k, n in result.languages.items()))
    if result.flags:
        out.print("flags: " + escape(", ".join(f"{k} {n}" for k, n in result.flags.items())))


@graph_app.command()
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    case: CaseOption = Path("case"),
    fmt: Annotated[
        GraphFormat | None,
        typer.Option("--format", help="Format; else taken from the file name's suffix."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the graph as GraphML or GEXF (Gephi), a CSV of links, or a PNG/SVG picture.

    The export is recorded in the case's custody log with the file's SHA-256.

    Example: callsift graph export -o calls.gexf
    """
    with open_case(case) as store:
        result = export_case_graph(store, output, fmt)
    if as_json:
        print_json(result)
        return
    out.print(
        f"{result.numbers} numbers, {result.links} links → {escape(result.path)}"
        f" ({result.format}, sha256 {result.sha256})"
    )

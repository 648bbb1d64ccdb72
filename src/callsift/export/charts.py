"""The pictures of a case report: the call graph and the calls-per-day timeline.

Both are drawn with matplotlib's object API on an Agg canvas (no pyplot, no
global backend switch, no display needed) and returned as bytes, so the HTML
report embeds them inline and the PDF places them without temporary files the
reader never sees. SVG goes to HTML (sharp when printed), PNG to the PDF.
The graph is the selection's own: only the exported calls become edges, drawn
by the call-graph module so the report shows what ``callsift graph`` shows.
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from callsift.export.calls import ExportCall
from callsift.graph.callgraph import GraphCall, KnownNumber, build_graph, draw_graph

__all__ = ["graph_picture", "timeline_chart", "timeline_days"]


def timeline_days(calls: Sequence[ExportCall]) -> list[tuple[str, int, int]]:
    """``(day, calls, flagged calls)`` for every day from the first dated call to the last."""
    total = Counter(call.day for call in calls if call.day)
    flagged = Counter(call.day for call in calls if call.day and call.flags)
    if not total:
        return []
    first = date.fromisoformat(min(total))
    last = date.fromisoformat(max(total))
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return [(day, total[day], flagged[day]) for day in days]


def _save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "callsift", "svg.fonttype": "none"}):
        figure.savefig(buffer, format=fmt, metadata=metadata, bbox_inches="tight")
    return buffer.getvalue()


def timeline_chart(days: Sequence[tuple[str, int, int]], fmt: str) -> bytes:
    """Calls per day as bars, the flagged share in red, as ``png`` or ``svg`` bytes."""
    figure = Figure(figsize=(9.0, 2.6), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = [float(date2num(date.fromisoformat(day))) for day, _, _ in days]
    axes.bar(positions, [n for _, n, _ in days], color="#9a9a9a", label="calls", width=0.8)
    axes.bar(positions, [f for _, _, f in days], color="#c0392b", label="with flags", width=0.8)
    axes.set_ylabel("calls")
    axes.xaxis_date()
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    return _save(figure, fmt)


def graph_picture(calls: Sequence[ExportCall], known: Sequence[KnownNumber], fmt: str) -> bytes:
    """The call graph of ``calls`` (directory names as labels) as ``png`` or ``svg`` bytes."""
    graph = build_graph(
        (
            GraphCall(
                call_id=call.id,
                file=call.file,
                status=call.status,
                started_at=call.started_at,
                audio_s=call.duration_s if call.status == "done" else None,
                metadata_duration_s=call.stated_duration_s,
                caller=call.caller.number,
                receiver=call.receiver.number,
            )
            for call in calls
            if call.caller.number or call.receiver.number
        ),
        known,
    )
    with tempfile.TemporaryDirectory(prefix="callsift-graph-") as folder:
        path = Path(folder) / f"graph.{fmt}"
        draw_graph(graph, path, fmt)
        return path.read_bytes()

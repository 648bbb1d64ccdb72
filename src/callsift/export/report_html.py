"""The case report as one self-contained, printable HTML file.

No template engine and no external asset: the page is built from small
functions in which every value from the case goes through ``html.escape``
(``_e``) on its way in; transcripts are speech recognised from intercepted
audio and metadata comes from sheets, so none of it is ever trusted as markup.
The pictures are embedded as ``data:`` images (an SVG inside ``<img>`` cannot
run script) and the CSS is inline, so the file opens offline, can be mailed
or archived as is, and prints on A4 with each call kept on one page where it
fits.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from callsift.analyze.confidence import is_low
from callsift.export.calls import ExportCall, Party
from callsift.export.charts import graph_picture, timeline_chart, timeline_days
from callsift.export.report import CAVEAT, CaseReport, clock
from callsift.export.unsure import ExcerptPiece, excerpt_pieces
from callsift.parties import SpeakerParty
from callsift.records import FindingRecord
from callsift.store.export_queries import Excerpt
from callsift.translate.checks import caption

__all__ = ["render_html", "write_html"]

CSS = """
:root { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1b1b1b; }
body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #333; }
.meta, .small { color: #555; font-size: .85rem; }
.caveat { border-left: 4px solid #c0392b; padding: .4rem .8rem; background: #fbeeee; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left;
  vertical-align: top; padding: .2rem .5rem; border-bottom: 1px solid #ddd; }
th { width: 11rem; color: #333; font-weight: 600; }
figure { margin: 0; } figure img { max-width: 100%; height: auto; }
article { border: 1px solid #ccc; border-radius: 4px; padding: .2rem .9rem .6rem;
  margin: .8rem 0; break-inside: avoid; }
blockquote { margin: .3rem 0; font-size: 1.05rem; } mark { background: #ffe08a; }
.translation { color: #333; font-style: italic; margin: .2rem 0; }
.status { font-weight: 600; padding: 0 .35rem; border-radius: 3px; background: #eee; }
.status-verified { background: #d4edda; } .status-corroborated { background: #e2f0d9; }
.status-disputed { background: #fff3cd; } .status-rejected { background: #f8d7da; }
.invalid { color: #c0392b; }
.unsure { text-decoration: underline wavy #8a5a00; text-decoration-thickness: 1px; opacity: .75; }
.unsure-note { font-style: italic; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  #flagged, #calls { break-before: page; } article { border-color: #999; } }
"""


def _e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape("" if value is None else str(value), quote=True)


def _image(data: bytes, mime: str, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:{mime};base64,{encoded}" alt="{_e(alt)}">'


def _rows(pairs: list[tuple[str, str]]) -> str:
    """Table rows from ``(label, html)`` pairs: labels are escaped, values already are."""
    return "".join(f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in pairs)


def _status(status: str) -> str:
    return f'<span class="status status-{_e(status)}">{_e(status)}</span>'


def _party(party: Party) -> str:
    number = party.number
    if number is None:
        return '<span class="small">not given</span>'
    if not number.valid:
        return (
            f'{_e(number.raw)} <span class="invalid">(not a valid number, kept as written)</span>'
        )
    parts = [_e(number.e164)]
    if number.raw != number.e164:
        parts.append(f'<span class="small">written “{_e(number.raw)}”</span>')
    details = ", ".join(_e(x) for x in (number.country, number.carrier) if x)
    if details:
        parts.append(f'<span class="small">{details}</span>')
    if party.names:
        names = " / ".join(_e(name) for name in party.names)
        conflict = " (conflict: one number, several names)" if len(party.names) > 1 else ""
        parts.append(f"<strong>{names}</strong>{_e(conflict)}")
    return " · ".join(parts)


def _piece(piece: ExcerptPiece) -> str:
    html = _e(piece.text)
    if piece.probability is not None:
        html = (
            f'<span class="unsure" title="heard with probability {piece.probability:.2f}">'
            f"{html}</span>"
        )
    return f"<mark>{html}</mark>" if piece.matched else html


def _excerpt(item: Excerpt, said: SpeakerParty) -> str:
    quote = "".join(_piece(piece) for piece in excerpt_pieces(item))
    unsure = (
        f'<p class="small unsure-note">uncertain: the match rests on a word heard with'
        f" probability {item.confidence:.2f}</p>"
        if is_low(item.confidence) and item.confidence is not None
        else ""
    )
    label = caption(item.translation_engine, item.translation_notes, item.translation_version)
    translation = (
        f'<p class="translation" lang="en">{_e(item.translation)}</p>'
        f'<p class="small">{_e(label)}</p>'
        if item.translation and item.language != "en"
        else ""
    )
    return (
        f'<article class="excerpt"><h3>Call {item.call_id} · {_e(item.file)} · '
        f"{_e(clock(item.start))}–{_e(clock(item.end))} · {_e(said.text)} · "
        f"{_e(item.topic)}</h3>"
        f'<blockquote lang="{_e(item.language)}">{quote}</blockquote>{translation}'
        f'<p class="small">watchlist term “{_e(item.term)}”</p>{unsure}</article>'
    )


def _finding(finding: FindingRecord) -> str:
    other = f" (with call {finding.other_call_id})" if finding.other_call_id else ""
    return (
        f"<li><strong>{_e(finding.severity)}</strong> {_e(finding.kind)}: "
        f"{_e(finding.message)}{_e(other)}</li>"
    )


def _call(call: ExportCall, findings: list[FindingRecord]) -> str:
    review = call.verification
    status = call.processing
    duration = f"{call.duration_s:.1f} s audio" if call.duration_s is not None else "no audio read"
    if call.stated_duration_s is not None:
        duration += f", metadata says {call.stated_duration_s} s"
    verification = _status(review.status)
    if review.reviewer:
        verification += f" by {_e(review.reviewer)} at {_e(review.updated_at)}"
    if review.note:
        verification += f"<br>{_e(review.note)}"
    if review.links:
        verification += "<br>corroborated by call " + ", ".join(
            str(link.call_id) for link in review.links
        )
    others = [name for name in call.names if name != call.file]
    pairs = [
        ("File", _e(call.file) + (f" (also {_e(', '.join(others))})" if others else "")),
        ("SHA-256", f"<code>{_e(call.sha256)}</code>"),
        ("Processing", _e(status)),
        ("Started", _e(call.started_at or "not given or unreadable")),
        ("Duration", _e(duration)),
        ("Location", _e(call.location or "")),
        ("Notes", _e(call.notes or "")),
        ("Caller", _party(call.caller)),
        ("Receiver", _party(call.receiver)),
        ("Languages", _e(", ".join(call.languages) or "none decided")),
        ("Flags", _e(", ".join(f"{t} {n}" for t, n in call.flags.items()) or "none")),
        ("Verification", verification),
    ]
    listed = "".join(_finding(f) for f in findings)
    found = f"<p><strong>Findings</strong></p><ul>{listed}</ul>" if listed else ""
    return (
        f'<article class="call" id="call-{call.id}"><h3>Call {call.id}: {_e(call.file)}</h3>'
        f"<table>{_rows(pairs)}</table>{found}</article>"
    )


def render_html(report: CaseReport) -> str:
    """The whole report as one HTML document (pictures and styles inline)."""
    days = timeline_days(report.calls)
    graph = _image(
        graph_picture(report.calls, report.known, "svg"),
        "image/svg+xml",
        "Call graph: phone numbers as points, calls between them as lines",
    )
    timeline = (
        _image(timeline_chart(days, "svg"), "image/svg+xml", "Calls per day")
        if days
        else '<p class="small">No call has a readable date.</p>'
    )
    excerpts = "".join(_excerpt(item, report.party(item)) for item in report.excerpts)
    excerpts = excerpts or "<p>No flagged speech.</p>"
    calls = "".join(_call(call, report.findings.get(call.id, [])) for call in report.calls)
    summary = [(label, _e(value)) for label, value in report.summary()]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="{_e(report.tool)}">'
        f"<title>{_e(report.title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{_e(report.title)}</h1>"
        f'<p class="meta">{_e(report.scope)} · generated {_e(report.generated_at)} '
        f"by {_e(report.tool)}</p>"
        f'<p class="caveat">{_e(CAVEAT)}</p></header>'
        f'<section id="summary"><h2>Summary</h2><table>{_rows(summary)}</table></section>'
        f'<section id="graph"><h2>Who called whom</h2><figure>{graph}</figure></section>'
        f'<section id="timeline"><h2>Calls per day</h2><figure>{timeline}</figure></section>'
        f'<section id="flagged"><h2>Flagged excerpts</h2>{excerpts}</section>'
        f'<section id="calls"><h2>Calls</h2>{calls}</section>'
        "</body></html>\n"
    )


def write_html(report: CaseReport, out: Path) -> Path:
    """Write the report to ``out`` (UTF-8)."""
    out.write_text(render_html(report), encoding="utf-8")
    return out

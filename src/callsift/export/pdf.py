"""The case report as PDF, laid out with fpdf2.

PDF is what gets attached to a legal submission or printed for an editor, so
it carries the same ``CaseReport`` as the HTML, in the same order. Cyrillic
needs a Unicode font embedded in the file: DejaVu Sans ships inside
matplotlib (already a dependency), so no font is downloaded or looked for on
the system, and the PDF reads the same on every machine. Transcript text is
written as text, never interpreted as markup (fpdf2's ``markdown`` stays off).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF

from callsift.analyze.confidence import is_low
from callsift.export.calls import ExportCall, Party
from callsift.export.charts import graph_picture, timeline_chart, timeline_days
from callsift.export.report import CAVEAT, CaseReport, clock
from callsift.export.unsure import excerpt_pieces
from callsift.parties import SpeakerParty
from callsift.records import FindingRecord
from callsift.store.export_queries import Excerpt
from callsift.translate.checks import caption

__all__ = ["FONT_DIR", "write_pdf"]

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
"""Where DejaVu Sans comes from: matplotlib's own copy."""

_FONT = "DejaVu"
_RED = (192, 57, 43)
_GREY = (85, 85, 85)


class _Report(FPDF):
    """A4 pages with the report's title and page numbers in the footer."""

    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report_title = title
        self.add_font(_FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(_FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_creator("callsift")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 7)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.report_title} · page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 14) -> None:
        self.set_font(_FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)
        self.set_font(_FONT, "", 9)

    def facts(self, pairs: list[tuple[str, str]]) -> None:
        """A two-column table of labels and values."""
        self.set_font(_FONT, "", 8.5)
        with self.table(
            col_widths=(32, 148),
            first_row_as_headings=False,
            line_height=4.4,
            borders_layout="HORIZONTAL_LINES",
        ) as table:
            for label, value in pairs:
                row = table.row()
                row.cell(label)
                row.cell(value)
        self.ln(2)

    def picture(self, data: bytes, max_height: float) -> None:
        self.image(io.BytesIO(data), w=self.epw, h=max_height, keep_aspect_ratio=True)
        self.ln(2)


def _party(party: Party) -> str:
    number = party.number
    if number is None:
        return "not given"
    if not number.valid:
        return f"{number.raw} (not a valid number, kept as written)"
    parts = [number.e164 or ""]
    if number.raw != number.e164:
        parts.append(f"written “{number.raw}”")
    parts += [x for x in (number.country, number.carrier) if x]
    if party.names:
        conflict = " (conflict: several names)" if len(party.names) > 1 else ""
        parts.append(" / ".join(party.names) + conflict)
    return " · ".join(parts)


def _excerpt(pdf: _Report, item: Excerpt, said: SpeakerParty) -> None:
    pdf.set_font(_FONT, "B", 8.5)
    pdf.multi_cell(
        0,
        4.4,
        f"Call {item.call_id} · {item.file} · {clock(item.start)}–{clock(item.end)} · "
        f"{said.text} · {item.topic} (“{item.term}”)",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pieces = excerpt_pieces(item)
    for piece in pieces:
        # The match in bold red; a word heard unsurely underlined (not colour alone).
        style = ("B" if piece.matched else "") + ("U" if piece.probability is not None else "")
        pdf.set_font(_FONT, style, 9.5)
        pdf.set_text_color(*(_RED if piece.matched else (0, 0, 0)))
        pdf.write(5, piece.text)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(_FONT, "", 9.5)
    pdf.ln(5)
    if any(piece.probability is not None for piece in pieces):
        note = "underlined: words heard with low confidence"
        if is_low(item.confidence) and item.confidence is not None:
            note = (
                "uncertain: the match rests on a word heard with probability"
                f" {item.confidence:.2f}; {note}"
            )
        pdf.set_font(_FONT, "I", 7.5)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(0, 3.8, note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    if item.translation and item.language != "en":
        pdf.set_font(_FONT, "I", 8.5)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(0, 4.4, item.translation, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, "I", 7.5)
        note = caption(item.translation_engine, item.translation_notes, item.translation_version)
        pdf.multi_cell(0, 3.8, note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2.5)


def _call(pdf: _Report, call: ExportCall, findings: list[FindingRecord]) -> None:
    review = call.verification
    verification = review.status
    if review.reviewer:
        verification += f" by {review.reviewer} at {review.updated_at}"
    if review.note:
        verification += f": {review.note}"
    if review.links:
        verification += "; corroborated by call " + ", ".join(str(x.call_id) for x in review.links)
    duration = f"{call.duration_s:.1f} s audio" if call.duration_s is not None else "no audio read"
    if call.stated_duration_s is not None:
        duration += f", metadata says {call.stated_duration_s} s"
    pairs = [
        ("SHA-256", call.sha256),
        ("Processing", call.processing),
        ("Started", call.started_at or "not given or unreadable"),
        ("Duration", duration),
        ("Location", call.location or ""),
        ("Notes", call.notes or ""),
        ("Caller", _party(call.caller)),
        ("Receiver", _party(call.receiver)),
        ("Languages", ", ".join(call.languages) or "none decided"),
        ("Flags", ", ".join(f"{t} {n}" for t, n in call.flags.items()) or "none"),
        ("Verification", verification),
    ]
    pairs += [
        ("Finding", f"{f.severity} {f.kind}: {f.message}"
         + (f" (with call {f.other_call_id})" if f.other_call_id else ""))
        for f in findings
    ]  # fmt: skip
    if pdf.will_page_break(60):
        pdf.add_page()
    pdf.heading(f"Call {call.id}: {call.file}", 11)
    pdf.facts(pairs)


def write_pdf(report: CaseReport, out: Path) -> Path:
    """Write the report to ``out`` as an A4 PDF with the fonts embedded."""
    pdf = _Report(report.title)
    pdf.add_page()
    pdf.heading(report.title, 18)
    pdf.set_text_color(*_GREY)
    pdf.multi_cell(
        0,
        4.5,
        f"{report.scope} · generated {report.generated_at} by {report.tool}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(*_RED)
    pdf.multi_cell(0, 4.5, CAVEAT, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.heading("Summary")
    pdf.facts(report.summary())
    days = timeline_days(report.calls)
    pdf.heading("Calls per day")
    if days:
        pdf.picture(timeline_chart(days, "png"), 60)
    else:
        pdf.multi_cell(0, 5, "No call has a readable date.", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.heading("Who called whom")
    pdf.picture(graph_picture(report.calls, report.known, "png"), pdf.eph - 20)
    pdf.add_page()
    pdf.heading("Flagged excerpts")
    for item in report.excerpts:
        _excerpt(pdf, item, report.party(item))
    if not report.excerpts:
        pdf.multi_cell(0, 5, "No flagged speech.", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.heading("Calls")
    for call in report.calls:
        _call(pdf, call, report.findings.get(call.id, []))
    pdf.output(str(out))
    return out

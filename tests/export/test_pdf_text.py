"""The tests' PDF text reader must read every glyph, or a redaction check passes blind.

fpdf2 writes each glyph as two bytes of its subset id; an id whose low byte is
a backslash or a parenthesis is escaped, and such a glyph at the end of a
line once made the reader lose the rest of the page, depending only on which
characters the report happened to hold.
"""

from __future__ import annotations

from fpdf import FPDF

from callsift.export.pdf import FONT_DIR

from .conftest import pdf_text

_CHARS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "іїєґІЇЄҐabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789()\\.,;:!?«»—"
)


def test_every_glyph_at_the_end_of_a_line_is_read_back() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=8)
    lines = [f"ana {char}" for char in _CHARS]
    for line in lines:
        pdf.cell(0, 3, line, new_x="LMARGIN", new_y="NEXT")
    assert pdf_text(bytes(pdf.output())) == "".join(lines)  # nothing lost, nothing made up

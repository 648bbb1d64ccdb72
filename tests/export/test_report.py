"""The printable case report: HTML (self-contained, escaped) and PDF (Unicode text)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from callsift.errors import InputError
from callsift.export.formats import write_format
from callsift.store import CaseStore
from callsift.store.export_queries import flagged_excerpts

from ..conftest import DEMO_CALLS
from .conftest import PAYLOAD_CALL, PAYLOAD_TEXT, PAYLOAD_TRANSLATION, pdf_text


@pytest.fixture(scope="module")
def html(export_case: CaseStore, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "case.html"
    assert write_format(export_case, "html", None, out) == out
    return out.read_text(encoding="utf-8")


def test_html_is_one_self_contained_file(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html
    assert html.count('src="data:image/svg+xml;base64,') == 2  # graph and timeline
    assert "@media print" in html and "@page" in html


def test_html_summary_counts_the_case(html: str) -> None:
    summary = html[html.index('id="summary"') : html.index('id="graph"')]
    calls = f"{DEMO_CALLS} (done {DEMO_CALLS - 1}, failed 1)"  # the corrupt file fails
    assert f"<th>Calls</th><td>{calls}</td>" in summary
    assert "<th>Dates</th><td>2022-03-02 to 2022-04-09 (1 without a readable date)" in summary
    reviewed = f"unverified {DEMO_CALLS - 2}, verified 1, disputed 1"
    assert f"<th>Verification</th><td>{reviewed}</td>" in summary
    assert "casualties" in summary


def test_html_escapes_every_transcript_string(html: str) -> None:
    assert "<script>" not in html and "<img src=x" not in html and "voice differs <b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Нас обстреляли," in html
    assert "&lt;img src=x onerror=alert(1)&gt; They killed two." in html
    assert "voice differs &lt;b&gt;" in html
    assert PAYLOAD_TEXT not in html and PAYLOAD_TRANSLATION not in html


def test_html_flagged_excerpts_mark_the_words_with_their_time(
    html: str, export_case: CaseStore
) -> None:
    flagged = html[html.index('id="flagged"') : html.index('id="calls"')]
    heading = f"Call {PAYLOAD_CALL} · call_019.wav · 0:01.0–0:04.0 · Both parties · casualties"
    assert heading in flagged  # a mono call not split: both parties on the one channel
    assert "<mark>убили</mark> двоих." in flagged
    # Who said it: a voice of the split mono call 1, its role's number and known names.
    caller = "Speaker 1 (caller), +79035551708, Сидоров Иван / Смирнов Олег"
    assert f"<h3>Call 1 · call_001.wav · 0:14.2–0:15.9 · {caller} · casualties</h3>" in flagged
    assert "ты не ранен" not in flagged  # the mother's negated question raises no flag
    assert "channel 0" not in flagged
    # One excerpt per watchlist hit of the case, the payload's among them.
    assert flagged.count('<article class="excerpt">') == len(flagged_excerpts(export_case, None))


def test_html_calls_show_numbers_names_and_status(html: str) -> None:
    first = html[html.index('id="call-1"') : html.index('id="call-2"')]
    assert "+79035551708 · <span" in first and "written “+7 903 555 17 08”" in first
    assert "Сидоров Иван / Смирнов Олег</strong> (conflict: one number, several names)" in first
    assert '<span class="status status-verified">verified</span> by ana' in first
    third = html[html.index('id="call-3"') : html.index('id="call-4"')]
    assert "status-disputed" in third and "corroborated by call 1" in third
    invalid = html[html.index('id="call-18"') : html.index('id="call-19"')]
    assert '12345 <span class="invalid">(not a valid number, kept as written)' in invalid
    failed = html[html.index('id="call-20"') : html.index('id="call-21"')]
    assert "failed: not an audio file" in failed


def test_export_is_in_the_custody_log(export_case: CaseStore, tmp_path: Path) -> None:
    out = write_format(export_case, "html", [3, 1], tmp_path / "two.html")
    text = out.read_text(encoding="utf-8")
    assert "2 selected calls: 1, 3" in text
    assert 'id="call-1"' in text and 'id="call-3"' in text and 'id="call-2"' not in text
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    logged = [
        e for e in export_case.custody() if e["detail"] and e["detail"].get("file") == str(out)
    ]
    assert {(e["action"], e["detail"]["format"], e["detail"]["file_sha256"]) for e in logged} == {
        ("export", "html", digest)
    }
    shas = {
        c["sha256"] for c in export_case.conn.execute("SELECT sha256 FROM calls WHERE id IN (1, 3)")
    }
    assert {e["sha256"] for e in logged} == shas and len(logged) == 2


def test_unknown_call_or_format_writes_nothing(export_case: CaseStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="call 99"):
        write_format(export_case, "pdf", [1, 99], tmp_path / "x.pdf")
    with pytest.raises(Exception, match="unknown export format 'docx'"):
        write_format(export_case, "docx", None, tmp_path / "x.docx")
    assert list(tmp_path.iterdir()) == []


def test_pdf_report_embeds_fonts_and_holds_cyrillic(export_case: CaseStore, tmp_path: Path) -> None:
    out = write_format(export_case, "pdf", None, tmp_path / "case.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = [int(n) for n in re.findall(rb"/Count (\d+)", data)]
    assert len(pages) == 1 and pages[0] >= 5  # summary, graph, excerpts, calls
    assert data.count(b"/Type /Page\n") == pages[0]
    assert data.count(b"/FontFile2") == 3 and b"DejaVuSans" in data
    assert data.count(b"/Subtype /Image") >= 2
    text = pdf_text(data)
    assert "убили" in text and "двенадцать человек" in text and "Сидоров Иван" in text
    assert "Case report" in text
    assert "Speaker 1 (caller), +79035551708" in text  # the excerpts name who said it

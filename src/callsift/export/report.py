"""What a printable case report says, gathered once for the HTML and the PDF.

A report is what an editor or a lawyer reads before trusting a story: the
case at a glance (calls, languages, dates, flags, where review stands), who
called whom, when, the flagged moments with their time in the recording, and
each call's metadata, numbers and status. ``build_report`` collects it into
one ``CaseReport``; ``report_html.py`` and ``pdf.py`` only lay it out, so the
two files cannot disagree. Transcripts and translations are machine-made and
every call is a lead until a reviewer verifies it: the report says so on its
first page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from callsift import __version__
from callsift.export.calls import ExportCall, export_calls
from callsift.graph.callgraph import KnownNumber
from callsift.parties import CallParties, SpeakerParty, call_parties
from callsift.records import FindingRecord
from callsift.store import CaseStore, utc_now
from callsift.store.export_queries import Excerpt, flagged_excerpts
from callsift.store.findings import list_findings
from callsift.store.graph import known_numbers

__all__ = ["CAVEAT", "STATUSES", "CaseReport", "build_report", "clock"]

STATUSES = ("unverified", "corroborated", "verified", "disputed", "rejected")

CAVEAT = (
    "Transcripts, translations, entities and flags are made by machine and can be wrong; "
    "check every quoted word against the recording. A call is a lead, not evidence, "
    "until its verification status says otherwise."
)


def clock(seconds: float) -> str:
    """``75.4`` -> ``1:15.4``: a time in the recording as players show it."""
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


@dataclass(frozen=True)
class CaseReport:
    """Everything a case report shows, for one case or a selection of its calls.

    Attributes:
        case: the case folder's name.
        selection: ``None`` for the whole case, else the chosen call ids.
        generated_at: when the report was made (UTC, ISO 8601).
        calls: the calls, by id.
        excerpts: every flagged segment, by call and time.
        findings: the checks' findings per call.
        known: the directory entries, for the graph's labels.
        parties: who said what, per call with flagged speech (``callsift.parties``).
    """

    case: str
    selection: tuple[int, ...] | None
    generated_at: str
    calls: list[ExportCall]
    excerpts: list[Excerpt]
    findings: dict[int, list[FindingRecord]]
    known: list[KnownNumber] = field(default_factory=list)
    parties: dict[int, CallParties] = field(default_factory=dict)
    tool: str = f"callsift {__version__}"

    def party(self, item: Excerpt) -> SpeakerParty:
        """Who said a flagged excerpt, with the number and name where known."""
        parties = self.parties.get(item.call_id) or CallParties(item.call_id)
        return parties.party_of(item.channel, item.speaker)

    @property
    def title(self) -> str:
        return f"Case report: {self.case}"

    @property
    def scope(self) -> str:
        """What the report covers, in words."""
        if self.selection is None:
            return f"whole case, {len(self.calls)} calls"
        return f"{len(self.calls)} selected calls: " + ", ".join(map(str, self.selection))

    def summary(self) -> list[tuple[str, str]]:
        """The case at a glance, as ``(label, value)`` lines."""
        calls = self.calls
        states = Counter(call.status for call in calls)
        audio = sum(call.duration_s or 0.0 for call in calls if call.status == "done")
        languages = Counter(lang for call in calls for lang in call.languages)
        days = sorted(call.day for call in calls if call.day)
        undated = sum(1 for call in calls if not call.day)
        flags: Counter[str] = Counter()
        for call in calls:
            flags.update(call.flags)
        severities = Counter(f.severity for found in self.findings.values() for f in found)
        review = Counter(call.verification.status for call in calls)
        dates = f"{days[0]} to {days[-1]}" if days else "no call has a readable date"
        if days and undated:
            dates += f" ({undated} without a readable date)"
        return [
            ("Calls", _counts(states, ("done", "failed", "pending"), total=len(calls))),
            ("Audio", f"{audio / 60:.1f} minutes processed"),
            ("Dates", dates),
            ("Languages", _counts(languages) or "none decided"),
            ("Flags", _counts(flags, total=sum(flags.values())) or "none"),
            (
                "Findings",
                _counts(severities, ("problem", "warning", "info"), sum(severities.values()))
                or "none recorded",
            ),
            ("Verification", _counts(review, STATUSES)),
        ]


def _counts(counter: Counter[str], order: Sequence[str] = (), total: int | None = None) -> str:
    keys = [key for key in order if counter[key]] + sorted(
        (key for key in counter if key not in order and counter[key]),
        key=lambda key: (-counter[key], key),
    )
    text = ", ".join(f"{key} {counter[key]}" for key in keys)
    return f"{total} ({text})" if total is not None and text else text


def build_report(store: CaseStore, call_ids: Sequence[int] | None) -> CaseReport:
    """Gather the report of the selected calls (``None``: the whole case)."""
    calls = export_calls(store, call_ids)
    selection = None if call_ids is None else tuple(call.id for call in calls)
    chosen = {call.id for call in calls}
    findings: dict[int, list[FindingRecord]] = {}
    for finding in list_findings(store):
        if finding.call_id in chosen:
            findings.setdefault(finding.call_id, []).append(finding)
    excerpts = flagged_excerpts(store, selection)
    return CaseReport(
        case=store.root.resolve().name,
        selection=selection,
        generated_at=utc_now(),
        calls=calls,
        excerpts=excerpts,
        findings=findings,
        known=known_numbers(store),
        parties={i: call_parties(store, i) for i in dict.fromkeys(e.call_id for e in excerpts)},
    )

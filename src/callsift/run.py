"""Every pending stage for every pending call, in one library call: ``run_case``.

``callsift process``, ``callsift bench`` and the web app's "transcribe again"
all need the same chain: transcribe (and Whisper's English), a text
translator if one was chosen, analysis, the English's second try, the
numbers in E.164, the call graph's analytics and the search index. Each
stage keeps its own key and picks only the calls it has not done with these
settings, so ``run_case`` is resumable after a crash at any point and a
second run does nothing. The last two are done here so that the first
reader after a long run does not wait minutes for them. Callers watch it
through ``on_stage`` and ``on_item`` (the CLI draws progress bars with them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from callsift.analyze.run import AnalyzeOptions, analyze_case
from callsift.graph.cache import case_graph_cached
from callsift.graph.phones import number_case
from callsift.pipeline import ProcessOptions, ProcessReport, process_case
from callsift.search import refresh_index
from callsift.store import CaseStore
from callsift.translate import TextTranslator, translate_case
from callsift.translate.repair import RepairReport, repair_case

__all__ = ["STAGES", "RunOptions", "RunReport", "run_case"]

STAGES = ("transcribe", "translate", "analyze", "repair", "numbers", "graph", "index")
"""The stages in the order they run; ``on_stage`` names one of them."""


@dataclass(frozen=True)
class RunOptions:
    """How a case is run.

    Attributes:
        process: decoding, transcription (Whisper's English with it, unless
            ``translator`` is given), workers and timeouts.
        analyze: the watchlists analysis flags with.
        translator: a text translator (Argos, LibreTranslate) that writes the
            English instead of Whisper's translate task.
    """

    process: ProcessOptions = ProcessOptions()
    analyze: AnalyzeOptions = AnalyzeOptions()
    translator: TextTranslator | None = None


@dataclass
class RunReport:
    """What each stage did, and how long each took (``stage_s``, wall seconds)."""

    process: ProcessReport
    translated: int = 0
    analysed: int = 0
    repair: RepairReport | None = None
    numbers: int = 0
    indexed: bool = False
    stage_s: dict[str, float] = field(default_factory=dict)


def run_case(
    store: CaseStore,
    options: RunOptions = RunOptions(),
    calls: Sequence[int] | None = None,
    on_stage: Callable[[str, int], None] | None = None,
    on_item: Callable[[str, str], None] | None = None,
) -> RunReport:
    """Run every stage a call still needs, for every call that needs it.

    ``calls`` names calls to transcribe again whatever their state (see
    ``process_case``); the later stages then take whatever those changed.
    ``on_stage(stage, total)`` is told when a stage with a known size starts,
    ``on_item(stage, item)`` each time it finishes one (a file, a call).
    """

    def started(stage: str) -> Callable[[int], None]:
        return lambda total: on_stage(stage, total) if on_stage else None

    def done(stage: str, item: str) -> None:
        if on_item:
            on_item(stage, item)

    clock = time.perf_counter()
    process = options.process
    report = RunReport(
        process_case(
            store,
            process,
            on_start=started("transcribe"),
            on_call=lambda outcome: done("transcribe", outcome.file),
            calls=calls,
        )
    )
    clock = _lap(report, "transcribe", clock)
    if options.translator is not None:
        report.translated = translate_case(store, options.translator)
        clock = _lap(report, "translate", clock)
    report.analysed = analyze_case(
        store,
        options.analyze,
        on_start=started("analyze"),
        on_call=lambda call_id: done("analyze", f"call {call_id}"),
    )
    clock = _lap(report, "analyze", clock)
    if process.translate:
        # English that lost a place or a number, tried once more from its audio.
        report.repair = repair_case(store, process.transcribe)
        clock = _lap(report, "repair", clock)
    report.numbers = number_case(store)  # caller and receiver in E.164, for graph and web
    clock = _lap(report, "numbers", clock)
    case_graph_cached(store)  # communities and centrality, once per change, not on a page view
    clock = _lap(report, "graph", clock)
    report.indexed = refresh_index(store)  # the search index, before anyone searches
    _lap(report, "index", clock)
    return report


def _lap(report: RunReport, stage: str, since: float) -> float:
    now = time.perf_counter()
    report.stage_s[stage] = now - since
    return now

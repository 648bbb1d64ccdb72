"""A second try at English that lost a place or a number, told what to listen for.

The checks (``callsift.translate.checks``) find where the English lacks a
place the gazetteer knows or a number the original says, but they can only
mark it: Whisper base heard "под Бахмутом" as "under the hood", "в
Мариуполь" as "in the direction of the sea". Once a call is analysed, each
such segment is translated again from its own stretch of audio, with the
gazetteer's English names of its places as the decoder's prompt
(``initial_prompt``): a model that is told the word "Bakhmut" may be heard
writes it where it hears it. On the demo corpus this put all three missing
towns in; the segment's own audio alone, without the call's other words,
also brought back a lost "six". Numbers are not put in the prompt: as digits
they changed nothing the segment alone did not, and a prompt of bare digits
invites the model to write them whether said or not.

A prompt can make a model write what it was given, so the new English is
kept only if it passes more of the name and number checks than the old, and
it is then marked (a ``repair`` note naming the hint and the first English),
so a reader knows the name was suggested to the model. Each segment is tried
once: ``segments.translation_repair`` records what was tried, kept or not,
so a run stopped part way resumes where it was, and a call transcribed
again (a new key) is tried again on its new segments.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from callsift.audio import decode, split_parties
from callsift.errors import InputError
from callsift.records import Mention
from callsift.store import CaseStore
from callsift.store.analysis import mentions_of
from callsift.store.locks import holding_case
from callsift.store.translations import (
    EnglishToCheck,
    english_to_check,
    english_to_repair,
    save_repairs,
)
from callsift.transcribe import TranscribeOptions, load_model
from callsift.translate.checks import check_translation, collapse_loops
from callsift.translate.speech import ENGINE, PAD_S, english_pieces
from callsift.translate.verify import check_call

__all__ = ["RepairReport", "missing", "repair_case", "retranslate"]

log = logging.getLogger(__name__)


@dataclass
class RepairReport:
    """How many segments were tried and how many kept their new English."""

    tried: int = 0
    kept: int = 0
    seconds: float = 0.0
    calls: list[int] = field(default_factory=list)


def missing(item: EnglishToCheck, mentions: list[Mention], english: str | None = None) -> int:
    """How many names and numbers of the original ``english`` (or the item's) lacks."""
    check = check_translation(
        item.text, item.language, item.english if english is None else english, mentions
    )
    return sum(1 for n in check.notes if n["check"] in ("name", "number") and not n["fixed"])


def hint(mentions: list[Mention]) -> str | None:
    """The prompt: the gazetteer's English names of the segment's places, as one line."""
    names = [m.attrs["english"] for m in mentions if m.type == "LOC" and m.attrs.get("english")]
    return ", ".join(dict.fromkeys(names)) + "." if names else None


def retranslate(
    model: Any,
    samples: Any,
    start: float,
    end: float,
    language: str,
    options: TranscribeOptions,
    prompt: str | None,
) -> tuple[str, float | None]:
    """English of ``samples[start:end]`` alone, with ``prompt``; its mean log-probability."""
    pieces = english_pieces(
        model,
        samples,
        language,
        options,
        clip_timestamps=[max(0.0, start - PAD_S), end + PAD_S],
        without_timestamps=True,
        initial_prompt=prompt,
    )
    text = collapse_loops(" ".join(" ".join(p.text for p in pieces).split()))[0]
    logprob = round(sum(p.avg_logprob for p in pieces) / len(pieces), 4) if pieces else None
    return text, logprob


@holding_case("repair")
def repair_case(store: CaseStore, options: TranscribeOptions | None = None) -> RepairReport:
    """Translate again each analysed segment whose Whisper English lacks a name or number.

    ``options`` are the recogniser settings the calls were processed with.
    """
    options = options or TranscribeOptions()
    report = RepairReport()
    started = time.perf_counter()
    todo = english_to_repair(store, ENGINE)
    model = load_model(options.model) if todo else None
    for call_id, sha256, places in todo:
        by_segment: dict[int | None, list[Mention]] = defaultdict(list)
        for mention in mentions_of(store, call_id):
            by_segment[mention.segment_id].append(mention)
        items = {
            i.segment_id: i for i in english_to_check(store, call_id) if i.segment_id in places
        }
        try:
            _, tracks = decode(store.originals.path(sha256))
        except InputError as error:  # the original was readable when processed: say so
            log.warning("call %s: not translated again (%s)", call_id, error.reason)
            continue
        by_channel = dict(split_parties(tracks))
        results: dict[int, tuple[str | None, float | None, dict[str, Any]]] = {}
        for segment_id, (channel, start, end) in places.items():
            item, mentions = items.get(segment_id), by_segment[segment_id]
            samples = by_channel.get(channel)
            prompt = hint(mentions)
            if item is None or samples is None or not missing(item, mentions):
                results[segment_id] = (None, None, {"hint": prompt, "kept": False})
                continue
            english, logprob = retranslate(
                model, samples, start, end, item.language, options, prompt
            )
            kept = missing(item, mentions, english) < missing(item, mentions)
            tried = {"hint": prompt, "before": item.english, "after": english, "kept": kept}
            results[segment_id] = (english if kept else None, logprob, tried)
            report.tried += 1
            report.kept += kept
        save_repairs(store, call_id, results)
        check_call(store, call_id)
        report.calls.append(call_id)
    report.seconds = time.perf_counter() - started
    return report

"""How well callsift splits a mono channel into its two speakers, and at what cost.

1. Mono mixes of the demo's stereo calls (both channels averaged, as a mono
   recorder would hear them), diarised and scored against the channel truth:
   at each 10 ms, who was speaking is whichever channel had energy (20 ms
   power 12 dB over that channel's floor and over -50 dBFS, gaps under 0.5 s
   closed, since the other channel is silence or faint line noise). The
   diarisation error rate is the standard one: (missed speech + false alarm
   + speaker confusion) / reference speech, under the best mapping of the two
   hypothesis speakers to the two channels, with a 0.25 s collar around every
   reference boundary not scored (NIST's convention) and also with none.
   "Before" is callsift without diarisation: all the channel's speech one
   speaker ("both parties").
2. Whether a channel is split at all: the single-party channels (each stereo
   demo channel, the real human clips in tests/data/real) must stay one
   speaker; the two-party ones (the mixes above and the demo's mono calls)
   should be split. The separation of each is printed, to set ``min_gap``.
3. Cost: seconds of CPU per minute of audio, one torch thread.

With ``--case DIR`` (a case built from the demo corpus, e.g. by
``tests/conftest.py DIR``, processed with diarisation), the mono demo calls'
stored segments are scored too: each segment's text is matched to its script
line (demo/scripts.json says which lines the soldier S and the family F say),
and the speaker of each segment compared with the line's, under the best
mapping per call; and each call's caller/receiver labels with the metadata's
account of who called ("son to mother": the soldier called).

Run: ``.venv/bin/python benchmarks/diarisation.py [--case DIR]`` (about a
minute on two cores).
"""

from __future__ import annotations

import argparse
import difflib
import json
import time
from pathlib import Path

import numpy as np

from callsift.audio import DecodeOptions, decode, speech_regions
from callsift.graph.voices.diarize import Diarization, DiarizeOptions, diarize
from callsift.graph.voices.encoder import VoiceEncoder, load_encoder

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
REAL = ROOT / "tests" / "data" / "real"
FRAMES_PER_S = 100
COLLAR_S = 0.25
STEREO = ["call_010.wav", "call_011.flac", "call_012.ogg", "call_013.m4a"]
STEREO += ["call_023.m4a", "call_024.wav"]


def channel_truth(tracks: list[np.ndarray]) -> np.ndarray:
    """``(frames, channels)`` booleans: which channel carries speech in each 10 ms."""
    hop = 16000 // FRAMES_PER_S
    frames = min(len(t) for t in tracks) // hop
    truth = np.zeros((frames, len(tracks)), bool)
    for k, track in enumerate(tracks):
        power = np.mean(track[: frames * hop].astype(np.float64).reshape(frames, hop) ** 2, 1)
        level = 10 * np.log10(np.convolve(power, np.ones(2) / 2, "same") + 1e-12)
        on = level > max(float(np.percentile(level, 10)) + 12, -50)
        lit = np.flatnonzero(on)
        for a, b in zip(lit[:-1], lit[1:], strict=True):
            if 1 < b - a <= FRAMES_PER_S // 2:
                on[a:b] = True
        truth[:, k] = on
    return truth


def hypothesis(result: Diarization, regions: list[tuple[float, float]], frames: int) -> np.ndarray:
    """Per 10 ms: 0 no speech, else the speaker; an unsplit channel's speech is speaker 1."""
    hyp = np.zeros(frames, int)
    if result.speakers < 2:
        for start, end in regions:
            hyp[int(start * FRAMES_PER_S) : int(end * FRAMES_PER_S)] = 1
    for turn in result.turns:
        hyp[int(turn.start * FRAMES_PER_S) : int(turn.end * FRAMES_PER_S)] = turn.speaker
    return hyp


def error_rate(truth: np.ndarray, hyp: np.ndarray, collar_s: float = COLLAR_S) -> float:
    """Diarisation error rate of ``hyp`` against two-channel ``truth``, best speaker mapping."""
    frames = min(len(truth), len(hyp))
    truth, hyp = truth[:frames], hyp[:frames]
    scored = np.ones(frames, bool)
    collar = int(collar_s * FRAMES_PER_S)
    for k in range(truth.shape[1]):
        for edge in np.flatnonzero(np.diff(truth[:, k].astype(int))) + 1:
            scored[max(0, edge - collar) : edge + collar] = False
    best = 1.0
    for mapping in ((1, 2), (2, 1)):
        ref = np.stack([truth[:, k] for k in range(2)], 1)[scored]
        said = hyp[scored]
        n_ref = ref.sum(1)
        n_hyp = (said > 0).astype(int)
        correct = np.array(
            [bool(s) and bool(r[mapping.index(s)]) for r, s in zip(ref, said, strict=True)]
        )
        errors = np.maximum(n_ref, n_hyp) - correct
        best = min(best, float(errors.sum() / max(1, n_ref.sum())))
    return best


def mixes(encoder: VoiceEncoder, options: DiarizeOptions) -> list[dict[str, object]]:
    rows = []
    for name in STEREO:
        _, tracks = decode(DEMO / "calls" / name, DecodeOptions())
        mix = (tracks[0] + tracks[1]) / 2
        regions = speech_regions(mix)
        truth = channel_truth(tracks)
        started = time.process_time()
        result = diarize(encoder, mix, regions, options)
        cpu = time.process_time() - started
        hyp = hypothesis(result, regions, len(truth))
        before = np.where(hyp > 0, 1, 0)
        rows.append(
            {
                "call": name,
                "audio_s": len(mix) / 16000,
                "cpu_s": cpu,
                "gap": result.gap,
                "speakers": result.speakers,
                "der": error_rate(truth, hyp),
                "der_no_collar": error_rate(truth, hyp, 0.0),
                "before": error_rate(truth, before),
                "before_no_collar": error_rate(truth, before, 0.0),
            }
        )
    return rows


def decisions(encoder: VoiceEncoder, options: DiarizeOptions) -> list[tuple[str, int, int, str]]:
    """(name, speakers expected, speakers found, reason) for every channel of known makeup."""
    scripts = json.loads((DEMO / "scripts.json").read_text(encoding="utf-8"))["calls"]
    found = []
    for call in scripts:
        path = DEMO / "calls" / call["file"]
        if not path.exists() or not call["turns"]:
            continue
        _, tracks = decode(path, DecodeOptions())
        if call["channels"] == 2:
            parts = [(f"{call['file']} ch{k}", 1, t) for k, t in enumerate(tracks)]
            parts.append((f"{call['file']} mix", 2, (tracks[0] + tracks[1]) / 2))
        else:
            voices = {who for who, _ in call["turns"]}
            parts = [(call["file"], len(voices), tracks[0])]
        for name, expected, samples in parts:
            result = diarize(encoder, samples, speech_regions(samples), options)
            found.append((name, expected, result.speakers, result.reason))
    for path in sorted(REAL.iterdir()):
        if path.suffix in {".wav", ".flac"}:
            _, tracks = decode(path, DecodeOptions())
            result = diarize(encoder, tracks[0], speech_regions(tracks[0]), options)
            found.append((f"real {path.name}", 1, result.speakers, result.reason))
    return found


def stored_calls(case: Path) -> None:
    """Segment speakers and roles of a processed demo case against the scripts."""
    from callsift.store import CaseStore, list_calls
    from callsift.store.queries import segments_of
    from callsift.store.speakers import speakers_of

    scripts = {c["file"]: c for c in json.loads((DEMO / "scripts.json").read_text())["calls"]}
    right = before = total = roles_right = roles_named = calls = split = 0
    with CaseStore(case, create=False) as store:
        for call in list_calls(store, "done"):
            script = scripts.get(call.file)
            if script is None or script["channels"] != 1 or not script["turns"]:
                continue
            calls += 1
            lines = script["turns"]
            pairs = []
            for segment in segments_of(store, call.id):
                scores = [difflib.SequenceMatcher(None, segment.text, t).ratio() for _, t in lines]
                pairs.append((lines[int(np.argmax(scores))][0], segment.speaker))
            same = sum(1 for who, s in pairs if (who == "S") == (s == 1))
            soldier = sum(1 for who, _ in pairs if who == "S")
            right += max(same, len(pairs) - same)
            before += max(soldier, len(pairs) - soldier)  # all one speaker
            total += len(pairs)
            split += any(s for _, s in pairs)
            notes = (script["meta"].get("notes") or "").split(" to ")[0]
            caller = "F" if notes in {"mother", "father"} else "S"
            speaker_of_voice = {who: s for who, s in pairs}
            for row in speakers_of(store, call.id):
                if row.role is None:
                    continue
                roles_named += 1
                who = next((w for w, s in speaker_of_voice.items() if s == row.speaker), None)
                roles_right += (who == caller) == (row.role == "caller")
            print(
                f"  {call.file}: {same if same >= len(pairs) - same else len(pairs) - same}"
                f"/{len(pairs)} segments, roles "
                + ", ".join(f"{r.speaker}={r.role or '-'}" for r in speakers_of(store, call.id))
            )
    print(
        f"mono demo calls: {right}/{total} segments on the right speaker, {before}/{total}"
        f" before (all one speaker); {split} of {calls} calls split"
    )
    print(f"caller/receiver: {roles_right}/{roles_named} labels right ({roles_named // 2} calls)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, help="a processed demo case to score")
    args = parser.parse_args()
    options = DiarizeOptions()
    encoder = load_encoder(1)
    rows = mixes(encoder, options)
    print(f"{'mix':16} {'gap':>6} {'spk':>3} {'DER':>6} {'no collar':>9} {'before':>7}")
    for r in rows:
        print(
            f"{r['call']:16} {r['gap'] or 0:6.3f} {r['speakers']:3} {r['der']:6.3f}"
            f" {r['der_no_collar']:9.3f} {r['before']:7.3f}"
        )
    for key in ("der", "der_no_collar", "before", "before_no_collar"):
        print(f"mean {key}: {np.mean([float(r[key]) for r in rows]):.3f}")  # type: ignore[arg-type]
    audio = sum(float(r["audio_s"]) for r in rows)  # type: ignore[arg-type]
    cpu = sum(float(r["cpu_s"]) for r in rows)  # type: ignore[arg-type]
    print(f"cost: {cpu / audio * 60:.2f} s of CPU per minute of audio (one torch thread)")
    print()
    wrong = 0
    for name, expected, found, reason in decisions(encoder, options):
        mark = "" if expected == found else "  <-- WRONG"
        wrong += expected != found
        print(f"{name:48} expected {expected} found {found}: {reason}{mark}")
    print(f"speaker count wrong on {wrong} channels")
    if args.case:
        print()
        stored_calls(args.case)


if __name__ == "__main__":
    main()

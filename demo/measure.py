"""Measure what the default model hears in the demo corpus, for demo/truth.json.

The tests check that callsift hears each call's key words on the right
channel. A key word is only fair if the model itself hears it robustly, so this
script transcribes every speech channel with the pinned default model three
ways: callsift's own pipeline as the tests run it (beam 5), the pipeline with
beam 1, and plain faster-whisper (beam 5, no voice activity detection), and
does so in both CPU modes (``CALLSIFT_REPRODUCIBLE=1``, the pinned x86-64-v3
arithmetic, and ``=0``, the CPU's own fastest kernels: see
``callsift/__init__.py``), each in a process of its own. It keeps, per channel,
the script words that all six outputs contain: a word that one CPU's rounding
can change is no fair test on another CPU.

It updates the measured fields of each ``files`` entry (hash, container, codec,
rate, duration, detected language and probability) and reports key words that
are no longer heard; for an entry without key words it proposes up to four
of the longest robust words. Hand-written fields (``kind``, ``voices``,
``language``, notes) are left alone.

Usage:
    python demo/measure.py            # report only
    python demo/measure.py --write    # also rewrite demo/truth.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import callsift  # pins the CPU code paths before numpy and CTranslate2 load

HERE = Path(__file__).resolve().parent
BEAMS = (5, 1)  # callsift's pipeline; then plain faster-whisper at beam 5
_WORD = re.compile(r"[\w'’-]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if not w.isdigit()]


def _channel_scripts(call: dict[str, Any], calls: dict[str, dict[str, Any]]) -> list[str]:
    """The words each channel's speaker reads: the soldier (``S``) left, family right."""
    source = calls.get(call.get("reexport_of", ""), call)
    turns = source.get("turns", [])
    if call.get("channels", 1) == 1:
        return [" ".join(text for _, text in turns)]
    return [
        " ".join(text for who, text in turns if (who == "S") == (channel == 0))
        for channel in (0, 1)
    ]


def hear(out: Path) -> None:
    """Transcribe every demo channel three ways in this process's CPU mode; save JSON."""
    import av
    from faster_whisper import decode_audio

    from callsift.pipeline import ProcessOptions, process_call
    from callsift.transcribe import ModelSpec, TranscribeOptions, load_model

    truth = json.loads((HERE / "truth.json").read_text(encoding="utf-8"))
    spec = json.loads((HERE / "scripts.json").read_text(encoding="utf-8"))
    model = load_model(ModelSpec(cpu_threads=2))
    result: dict[str, Any] = {}
    for call in spec["calls"]:
        name = call["file"]
        path = HERE / "calls" / name
        entry: dict[str, Any] = {}
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            entry["container"] = container.format.name.split(",")[0]
            entry["codec"] = stream.codec_context.name
            entry["sample_rate"] = stream.codec_context.sample_rate
            entry["channels"] = stream.codec_context.channels
        tracks = decode_audio(str(path), split_stereo=entry["channels"] == 2)
        tracks = list(tracks) if entry["channels"] == 2 else [tracks]
        entry["duration_s"] = round(len(tracks[0]) / 16000, 2)
        forced = truth["files"].get(name, {}).get("key_words_language")
        pipeline = [
            process_call(
                path,
                0,
                name,
                ProcessOptions(transcribe=TranscribeOptions(beam_size=beam), translate=False),
                model,
            ).channels
            for beam in BEAMS
        ]
        entry["heard"], entry["detected_language"], entry["language_probability"] = [], [], []
        for channel, samples in enumerate(tracks):
            heard = [
                " ".join(s.text for c in run if c.channel == channel for s in c.segments).lower()
                for run in pipeline
            ]
            segments, info = model.transcribe(samples, language=forced, beam_size=5)
            heard.append(" ".join(s.text for s in segments).lower())
            if forced:  # what Whisper detects by itself, not the language it was told
                _, info = model.transcribe(samples, beam_size=5)
            entry["heard"].append(heard)
            entry["detected_language"].append(info.language)
            entry["language_probability"].append(round(info.language_probability, 3))
        result[name] = entry
    result["_arithmetic"] = callsift.cpu_arithmetic()
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def measure(write: bool) -> int:
    """Hear the corpus in both CPU modes (each in its own process), keep words both hear."""
    modes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("1", "0"):
            out = Path(tmp) / f"heard-{mode}.json"
            # Importing callsift here set the pinned variables in this process's
            # environment: the native run must not inherit them.
            env = {k: v for k, v in os.environ.items() if k not in callsift._REPRODUCIBLE_CPU}
            env["CALLSIFT_REPRODUCIBLE"] = mode
            subprocess.run([sys.executable, __file__, "--hear", str(out)], env=env, check=True)
            modes[mode] = json.loads(out.read_text(encoding="utf-8"))
            arithmetic = modes[mode].pop("_arithmetic")
            assert arithmetic == ("native" if mode == "0" else callsift._ARITHMETIC), arithmetic
    truth_path = HERE / "truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    spec = json.loads((HERE / "scripts.json").read_text(encoding="utf-8"))
    calls = {call["file"]: call for call in spec["calls"]}
    lost = 0
    for name, call in calls.items():
        measured = modes["1"][name]
        entry = truth["files"].setdefault(name, {"kind": "speech"})
        for field in ("sha256", "container", "codec", "sample_rate", "channels", "duration_s"):
            entry[field] = measured[field]
        scripts = _channel_scripts(call, calls)
        key_words = []
        for channel, script in enumerate(scripts):
            heard = modes["1"][name]["heard"][channel] + modes["0"][name]["heard"][channel]
            robust = [w for w in dict.fromkeys(_words(script)) if all(w in h for h in heard)]
            old = (entry.get("key_words") or [[]] * len(scripts))[channel]
            missing = [w for w in old if w not in robust]
            if missing:
                lost += len(missing)
                print(
                    f"{name} ch{channel}: no longer heard in both modes: {missing};"
                    f" heard {heard[0]!r} / {heard[3]!r}"
                )
            kept = [w for w in old if w in robust]
            if not old:
                kept = sorted(robust, key=len, reverse=True)[:4]
                print(f"{name} ch{channel}: proposed key words {kept}")
            key_words.append(kept)
        entry["detected_language"] = measured["detected_language"]
        entry["language_probability"] = measured["language_probability"]
        entry["key_words"] = key_words
        entry.setdefault("language", [call.get("language")] * len(scripts))
    if write:
        truth_path.write_text(
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"{lost} key word(s) no longer heard in both CPU modes")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite demo/truth.json")
    parser.add_argument("--hear", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hear:
        hear(args.hear)
        return 0
    return measure(args.write)


if __name__ == "__main__":
    sys.exit(main())

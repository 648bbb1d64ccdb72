"""How well, how fast and in how much memory callsift tells voices apart.

Measured on the demo corpus against the voice names in demo/scripts.json (not
the fiction: ru_soldier speaks in many calls under other names and numbers).
The single-speaker channels are those of the stereo calls, one party each;
every pair of them is a same-voice or a different-voice pair. The corpus's
voices are one festival voice pitch-shifted (ru_soldier 0, ru_soldier2 -150
cents, ru_soldier3 -550, ru_father +200, ru_mother +400, ru_wife +450) plus
espeak-ng voices: far harder negatives than two real people, and ru_mother and
ru_wife, 50 cents apart, are as good as one voice to any speaker model, so
their pairs are also counted apart.

Reported:

- the similarity distributions of same-voice and different-voice pairs;
- precision and recall of "same voice" at each threshold, for a plain cut on
  the pair's similarity and for what ``callsift voices`` claims (the two
  channels fall in one average-linkage voice);
- for the default ``different_below``, how many different-voice pairs are
  called two people and how many same-voice pairs wrongly are;
- where the mono calls' mixed channels are attached;
- the same measures on the real human clips in tests/data/real;
- embedding speed (seconds of speech per wall second, 1 and 2 torch threads)
  and the process's peak memory.

Run: ``.venv/bin/python benchmarks/voices.py`` (under a minute on two cores).
"""

from __future__ import annotations

import json
import resource
import time
from itertools import combinations
from pathlib import Path

import numpy as np

from callsift.audio import decode, speech_regions, split_parties
from callsift.graph.voices import VoiceEncoder, VoiceOptions, load_encoder
from callsift.graph.voices.cluster import attach_mixed, average_linkage
from callsift.graph.voices.encoder import speech_of

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
REAL = ROOT / "tests" / "data" / "real"
NEAR = {"ru_mother", "ru_wife"}  # 50 cents apart: one voice to the model
DEFAULTS = VoiceOptions()


def embed(encoder: VoiceEncoder, speech: np.ndarray) -> np.ndarray:
    vector = encoder.embed(speech)
    assert vector is not None, "every demo and real channel holds speech"
    return vector


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def demo_speech() -> tuple[list[tuple[str, int, str, np.ndarray]], float]:
    """``(file, channel, voice, speech)`` per party channel of the corpus; decode+VAD seconds."""
    scripts = json.loads((DEMO / "scripts.json").read_text(encoding="utf-8"))["calls"]
    found = []
    started = time.perf_counter()
    for call in scripts:
        _, tracks = decode(DEMO / "calls" / call["file"])
        for index, samples in split_parties(tracks):
            if call["channels"] == 2:
                voice = call["voices"]["S" if index == 0 else "F"]
            else:
                voice = "+".join(sorted(set(call["voices"].values())))
            speech = speech_of(samples, speech_regions(samples), DEFAULTS.max_speech_s)
            if len(speech) >= DEFAULTS.min_speech_s * 16000:  # as callsift voices skips
                found.append((call["file"], index, voice, speech))
    return found, time.perf_counter() - started


def scores(pairs: list[tuple[float, bool]], cut: float) -> tuple[float, float]:
    tp = sum(1 for s, same in pairs if same and s >= cut)
    fp = sum(1 for s, same in pairs if not same and s >= cut)
    fn = sum(1 for s, same in pairs if same and s < cut)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def cluster_scores(sim: np.ndarray, voices: list[str], cut: float) -> tuple[float, float]:
    labels = average_linkage(sim, cut)
    pairs = [
        (labels[a] == labels[b], voices[a] == voices[b])
        for a, b in combinations(range(len(voices)), 2)
    ]
    tp = sum(1 for joined, same in pairs if joined and same)
    fp = sum(1 for joined, same in pairs if joined and not same)
    fn = sum(1 for joined, same in pairs if not joined and same)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    v = np.array(values)
    return f"n={len(v):3d} min {v.min():.3f} median {np.median(v):.3f} max {v.max():.3f}"


def real_clips(encoder: VoiceEncoder) -> None:
    """Same speaker (two halves of one lecture, or one clip through a telephone band) vs others."""
    from callsift.audio import DecodeOptions

    clips = {
        "jfk": "en_jfk_faster-whisper.flac",
        "lecture": "en_silero_vad_test_60s.wav",
        "pisets": "ru_pisets_test_sound_ru.wav",
        "golos": "ru_golos_001ce26c07c20eaa0d666b824c6c6924.wav",
        "deepspeech": "ru_deepspeech_smoke_ru.wav",
        "tone": "ru_tel8k_tone_audio_short.flac",
    }
    prints: dict[tuple[str, str], np.ndarray] = {}
    for name, file in clips.items():
        for band, rate in (("16k", 16000), ("8k", 8000)):
            _, tracks = decode(REAL / file, DecodeOptions(sample_rate=rate))
            samples = tracks[0]
            if rate == 8000:  # back to 16 kHz: the telephone band, as a call decodes
                samples = np.interp(
                    np.arange(2 * len(samples)) / 2, np.arange(len(samples)), samples
                )
                samples = samples.astype(np.float32)
            speech = speech_of(samples, speech_regions(samples))
            if name == "lecture":
                half = len(speech) // 2
                for part, piece in (("a", speech[:half]), ("b", speech[half:])):
                    prints[(f"{name}-{part}", band)] = embed(encoder, piece)
            else:
                prints[(name, band)] = embed(encoder, speech)
    same_halves = [
        float(prints[("lecture-a", b)] @ prints[("lecture-b", b)]) for b in ("16k", "8k")
    ]
    names = sorted({name for name, _ in prints})
    across_band = [float(prints[(name, "16k")] @ prints[(name, "8k")]) for name in names]
    different = [
        float(prints[(a, band)] @ prints[(b, band)])
        for band in ("16k", "8k")
        for a, b in combinations(names, 2)
        if a.split("-")[0] != b.split("-")[0]
    ]
    print("\nReal human clips (tests/data/real):")
    print(f"  same speaker, two halves of a lecture    {spread(same_halves)}")
    print(f"  same clip, full band vs telephone band   {spread(across_band)}")
    print(f"  different speakers (same band)           {spread(different)}")
    print(
        f"  different pairs >= threshold {DEFAULTS.threshold}: "
        f"{sum(s >= DEFAULTS.threshold for s in different)}; "
        f">= different_below {DEFAULTS.different_below}: "
        f"{sum(s >= DEFAULTS.different_below for s in different)}"
    )


def main() -> None:
    base = rss_mb()
    channels, decode_s = demo_speech()
    speech_s = sum(len(s) for *_, s in channels) / 16000
    started = time.perf_counter()
    encoder = load_encoder(threads=1)
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    import torch

    embed(encoder, channels[0][3])  # librosa compiles its mel filters on first use
    timings: dict[int, float] = {}
    prints: list[np.ndarray] = []
    for threads in (1, 2, 1, 2):  # twice each, best kept: the machine may be shared
        torch.set_num_threads(threads)
        started = time.perf_counter()
        prints = [embed(encoder, s) for *_, s in channels]
        seconds = time.perf_counter() - started
        timings[threads] = min(seconds, timings.get(threads, seconds))
    torch.set_num_threads(DEFAULTS.threads)
    peak = rss_mb()

    single = [(i, c) for i, c in enumerate(channels) if "+" not in c[2]]
    voices = [c[2] for _, c in single]
    emb = np.array([prints[i] for i, _ in single])
    sim = emb @ emb.T
    pairs = [
        (float(sim[a, b]), voices[a] == voices[b], {voices[a], voices[b]} == NEAR)
        for a, b in combinations(range(len(single)), 2)
    ]
    print(f"Demo corpus: {len(single)} single-speaker channels, {len(pairs)} pairs\n")
    print(
        f"  same voice                              {spread([s for s, same, _ in pairs if same])}"
    )
    print(
        "  different voice                         "
        f"{spread([s for s, same, near in pairs if not same and not near])}"
    )
    print(
        f"  ru_mother vs ru_wife (50 cents apart)   {spread([s for s, _, near in pairs if near])}"
    )
    print(
        "\n  threshold | pair cut P / R | voices (avg linkage) P / R | voices, m/w one voice P / R"
    )
    plain = [(s, same) for s, same, _ in pairs]
    merged_voices = ["ru_mother" if v in NEAR else v for v in voices]
    for cut in np.arange(0.88, 0.975, 0.01):
        p, r = scores(plain, cut)
        cp, cr = cluster_scores(sim, voices, cut)
        mp, mr = cluster_scores(sim, merged_voices, cut)
        mark = "  <- default" if abs(cut - DEFAULTS.threshold) < 1e-9 else ""
        print(
            f"  {cut:9.2f} | {p:5.2f} / {r:4.2f}   | {cp:5.2f} / {cr:4.2f}"
            f"                 | {mp:5.2f} / {mr:4.2f}{mark}"
        )
    below = DEFAULTS.different_below
    diff = [s for s, same, _ in pairs if not same]
    print(
        f"\n  different_below {below}: {sum(s < below for s in diff)} of {len(diff)}"
        f" different-voice pairs called two people;"
        f" {sum(s < below for s, same, _ in pairs if same)} of"
        f" {sum(same for _, same, _ in pairs)} same-voice pairs wrongly"
    )

    mixed = [(i, c) for i, c in enumerate(channels) if "+" in c[2]]
    labels = average_linkage(sim, DEFAULTS.threshold)
    rows = np.array([prints[i] for i, _ in mixed]) @ emb.T
    right = wrong = none = 0
    for (_, c), (group, _) in zip(
        mixed, attach_mixed(rows, labels, DEFAULTS.threshold), strict=True
    ):
        if group is None:
            none += 1
        elif {voices[j] for j, label in enumerate(labels) if label == group} <= set(
            c[2].split("+")
        ):
            right += 1
        else:
            wrong += 1
    print(
        f"\n  mixed (mono) channels: {len(mixed)}; attached to a voice they hold {right},"
        f" to another {wrong}, to none {none}"
    )

    real_clips(encoder)

    print("\nSpeed and memory (this machine):")
    print(f"  speech embedded: {speech_s:.0f} s in {len(channels)} channels")
    print(f"  decode + VAD: {decode_s:.1f} s ({speech_s / decode_s:.0f} s of speech per s)")
    print(f"  model check + import + load: {load_s:.1f} s (first embedding: +mel compile)")
    for threads, seconds in timings.items():
        print(
            f"  embedding, {threads} torch thread(s): {seconds:.1f} s"
            f" ({speech_s / seconds:.0f} s of speech per s, best of 2)"
        )
    print(
        f"  peak RSS: {base:.0f} MB at start, {loaded:.0f} MB loaded, {peak:.0f} MB after embedding"
    )


if __name__ == "__main__":
    main()

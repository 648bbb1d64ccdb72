"""Regenerate callsift's bundled demo corpus (demo/calls/) from demo/scripts.json.

Every call in the corpus is SYNTHETIC and fictional: synthesised voices reading
invented scripts, with invented names, units and phone numbers.

This script is only needed to *rebuild* the corpus. Its output (demo/calls/) is
committed to the repository, so neither ``make demo`` nor the test suite needs a
speech synthesiser. To rebuild you need these Debian packages:

    festival festvox-ru espeak-ng sox libsox-fmt-all ffmpeg

(festival's ``text2wave`` with the msu_ru_nsh voice for Russian and, through
``respell_uk()``, for Ukrainian; ``espeak-ng`` for English; ``sox`` for pitch
and band-limiting; ``ffmpeg`` for the codecs; AMR-NB is encoded through ctypes
with libopencore-amrnb0, which those packages pull in). Python needs only
numpy (and PyAV for ``--check``).

Usage:
    python demo/generate.py            # rebuild demo/calls/ and metadata.csv
    python demo/generate.py --check    # also decode every file with PyAV

Output is deterministic (seeded noise, no dither, bit-exact muxing): with the
same tool versions a rebuild gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts.json"
OUT = HERE / "calls"
SR = 8000  # telephone sample rate
BAND = (300.0, 3400.0)  # telephone pass band, Hz
FESTIVAL_VOICE = "(voice_msu_ru_nsh_clunits)"

# Ukrainian letters as the Russian letters that make festival's Russian voice say
# the Ukrainian sound: и is [ɪ] (Russian ы), і is [i], е is an open [ɛ] that does
# not soften the consonant before it (Russian э). espeak-ng's own Ukrainian voice
# is not recognised by Whisper at all (Norwegian or Hungarian, p ~0.2).
_UK_LETTERS = {"и": "ы", "і": "и", "ї": "йи", "ґ": "г", "щ": "шч", "е": "э", "'": "ъ", "’": "ъ"}
_UK_CONSONANTS = "бвгґджзклмнпрстфхцчшщ"
CSV_COLUMNS = [
    "file",
    "caller",
    "receiver",
    "started_at",
    "duration_s",
    "location",
    "notes",
    "intercept_ref",
]

# ffmpeg flags that keep encoder versions, dates and random stream ids out of the files.
FFMPEG = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
BITEXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]

# codec name in scripts.json -> ffmpeg audio options (AMR-NB: see encode_amr()).
CODECS: dict[str, list[str]] = {
    "wav_pcm16": ["-c:a", "pcm_s16le"],
    "wav_alaw": ["-c:a", "pcm_alaw"],
    "wav_ulaw": ["-c:a", "pcm_mulaw"],
    "wav_gsm": ["-c:a", "libgsm_ms"],  # GSM 6.10 in WAV (format tag 0x31)
    "mp3": ["-c:a", "libmp3lame", "-b:a", "24k"],
    "opus": ["-c:a", "libopus", "-b:a", "32k"],  # below ~32k, stereo Opus leaks between channels
    "aac": ["-c:a", "aac", "-b:a", "32k"],
    "flac": ["-c:a", "flac"],
}


def run(cmd: list[str]) -> bytes:
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout


# ---------------------------------------------------------------- signal helpers


def respell_uk(text: str) -> str:
    """Spell Ukrainian text in Russian letters for festival's Russian voice.

    Besides ``_UK_LETTERS``: є is йе (ье after a consonant), and в that closes a
    syllable is said [w], written у ("згорів" -> "згорыу").
    """
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        before = text[i - 1].lower() if i else " "
        after = text[i + 1].lower() if i + 1 < len(text) else " "
        if low == "є":
            sub = "ье" if before in _UK_CONSONANTS else "йе"
        elif low == "в" and before.isalpha() and (not after.isalpha() or after in _UK_CONSONANTS):
            sub = "у"
        else:
            sub = _UK_LETTERS.get(low, low)
        out.append(sub[0].upper() + sub[1:] if ch != low else sub)
    return "".join(out)


def bandpass(x: np.ndarray, lo: float = BAND[0], hi: float = BAND[1]) -> np.ndarray:
    """Crude FFT band-pass, used for the synthetic line noise."""
    spec = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1.0 / SR)
    spec[(freqs < lo) | (freqs > hi)] = 0.0
    return np.fft.irfft(spec, n=len(x)).astype(np.float32)


def db(level_db: float) -> float:
    return float(10.0 ** (level_db / 20.0))


def line_noise(rng: np.random.Generator, n: int, level_db: float) -> np.ndarray:
    """Band-limited hiss at the given RMS level (dBFS)."""
    hiss = bandpass(rng.standard_normal(n).astype(np.float32))
    return hiss / (np.sqrt(np.mean(hiss**2)) + 1e-12) * db(level_db)


def trim(x: np.ndarray, rel_db: float = -40.0, margin_s: float = 0.05) -> np.ndarray:
    """Cut leading/trailing near-silence left by the synthesisers."""
    loud = np.flatnonzero(np.abs(x) > np.max(np.abs(x)) * db(rel_db))
    if loud.size == 0:
        return x
    m = int(margin_s * SR)
    return x[max(loud[0] - m, 0) : loud[-1] + m]


# ---------------------------------------------------------------- synthesis


def synth(text: str, voice: dict, tmp: Path, band: tuple[float, float] = BAND) -> np.ndarray:
    """Speak one turn; return float32 mono at 8 kHz, limited to the band, peak 1.0."""
    txt, raw = tmp / "turn.txt", tmp / "turn.wav"
    txt.write_text(text + "\n", encoding="utf-8")  # text2wave reads the UTF-8 text as is
    if voice["engine"] == "festival":
        run(["text2wave", "-eval", FESTIVAL_VOICE, str(txt), "-o", str(raw)])
    else:
        run(
            [
                "espeak-ng",
                "-v",
                voice["voice"],
                "-s",
                str(voice["speed"]),
                "-p",
                str(voice["pitch"]),
                "-g",
                str(voice.get("gap", 0)),
                "-f",
                str(txt),
                "-w",
                str(raw),
            ]
        )
    effects = ["gain", "-6"]  # headroom: espeak-ng output is loud enough to clip in the filters
    if voice["engine"] == "festival" and voice["pitch"]:  # the second festival "speaker"
        effects += ["pitch", str(voice["pitch"])]
    effects += ["rate", str(SR), "sinc", f"{band[0]:g}-{band[1]:g}"]
    # -D: no dither, so the output is deterministic; raw float32 to stdout.
    pcm = run(["sox", "-D", str(raw), "-t", "f32", "-c", "1", "-"] + effects)
    x = trim(np.frombuffer(pcm, dtype="<f4").astype(np.float32))
    return x / (np.max(np.abs(x)) + 1e-12)


def assemble(call: dict, voices: dict, rng: np.random.Generator, tmp: Path) -> np.ndarray:
    """Lay the turns out on a timeline; returns float32 array of shape (samples, channels).

    A call may name its own pass ``band`` (a mobile codec passes more low
    frequencies than a landline's 300 Hz), and ``"respell": "uk"`` has
    festival read its Ukrainian turns through ``respell_uk()``.
    """
    channels = call["channels"]
    band = tuple(call.get("band", BAND))
    pieces: list[tuple[int, int, np.ndarray]] = []  # (start sample, channel, audio)
    t = int(rng.uniform(0.4, 1.0) * SR)
    for who, text in call["turns"]:
        voice = voices[call["voices"][who]]
        if call.get("respell") == "uk" and voice["engine"] == "festival":
            text = respell_uk(text)
        x = synth(text, voice, tmp, band) * db(rng.uniform(-4.0, -2.0))
        ch = 0 if (channels == 1 or who == "S") else 1  # soldier left, family right
        pieces.append((t, ch, x))
        t += len(x) + int(rng.uniform(0.35, 0.8) * SR)
    total = t + int(0.6 * SR)
    audio = np.zeros((total, channels), dtype=np.float32)
    for start, ch, x in pieces:
        audio[start : start + len(x), ch] += x
    if call.get("noise_db") is not None:
        for ch in range(channels):
            audio[:, ch] += line_noise(rng, total, call["noise_db"])
    return audio


def reexport(original: np.ndarray, call: dict, rng: np.random.Generator) -> np.ndarray:
    """The same recording passed through another system: a lead-in, a gain
    change and its own line noise on top of the original's samples."""
    lead = np.zeros((int(call["offset_s"] * SR), original.shape[1]), dtype=np.float32)
    audio = np.concatenate([lead, original * db(call.get("gain_db", 0.0))])
    for ch in range(audio.shape[1]):
        audio[:, ch] += line_noise(rng, len(audio), call["noise_db"])
    return audio


def apply_edits(audio: np.ndarray, edits: list[dict]) -> np.ndarray:
    """Tamper with a finished recording, in the order given; each edit's time is
    a position in the audio as the edits before it left it.

    ``{"cut_at_s", "cut_len_s"}`` removes a stretch (a cut inside speech jumps
    from one word to another with no pause); ``{"silence_at_s", "silence_s"}``
    splices in a block of exact digital zeros (no line noise, unlike a pause).
    """
    for edit in edits:
        if "cut_at_s" in edit:
            at, n = int(edit["cut_at_s"] * SR), int(edit["cut_len_s"] * SR)
            audio = np.concatenate([audio[:at], audio[at + n :]])
        else:
            at, n = int(edit["silence_at_s"] * SR), int(edit["silence_s"] * SR)
            zeros = np.zeros((n, audio.shape[1]), dtype=np.float32)
            audio = np.concatenate([audio[:at], zeros, audio[at:]])
    return audio


def noise_only(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """An open line with nobody talking: hum, hiss, a few clicks and a dropout."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    # 50 Hz mains hum; only its harmonics survive the telephone band.
    hum = sum(np.sin(2 * np.pi * 50 * k * t + k) / k for k in range(1, 16))
    hum = bandpass(hum.astype(np.float32))
    hum = hum / np.max(np.abs(hum)) * db(-30) * (1 + 0.3 * np.sin(2 * np.pi * 0.2 * t))
    x = hum + line_noise(rng, n, -42)
    for pos in rng.integers(0, n - 40, size=6):  # clicks
        x[pos : pos + 40] += rng.choice([-1, 1]) * db(-12) * np.hanning(40)
    gap = int(rng.uniform(7, 10) * SR)  # ~3 s dropout to near silence
    x[gap : gap + 3 * SR] *= db(-30)
    return x.astype(np.float32)[:, None]


# ---------------------------------------------------------------- files


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(audio.shape[1])
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def encode(master: Path, dest: Path, codec: str) -> None:
    if codec == "amr_nb":
        encode_amr(master, dest)
    else:
        run(FFMPEG + ["-i", str(master)] + BITEXACT + CODECS[codec] + [str(dest)])


def encode_amr(master: Path, dest: Path) -> None:
    """AMR-NB 12.2 kbit/s (.amr storage format) via libopencore-amrnb.

    Debian's ffmpeg has no AMR encoder, and sox's amr-nb writer turns DTX on:
    its SID (comfort noise) frames make FFmpeg's native decoder, the one in
    PyAV, fail with "Not yet implemented". So encode here with DTX off.
    """
    lib = ctypes.CDLL("libopencore-amrnb.so.0")
    lib.Encoder_Interface_init.restype = ctypes.c_void_p
    lib.Encoder_Interface_init.argtypes = [ctypes.c_int]
    lib.Encoder_Interface_Encode.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
    ]
    lib.Encoder_Interface_exit.argtypes = [ctypes.c_void_p]
    with wave.open(str(master), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    pcm = np.concatenate([pcm, np.zeros(-len(pcm) % 160, dtype="<i2")])  # 20 ms frames
    state = lib.Encoder_Interface_init(0)  # 0 = DTX off
    out, buf = bytearray(b"#!AMR\n"), ctypes.create_string_buffer(64)
    try:
        for i in range(0, len(pcm), 160):
            frame = np.ascontiguousarray(pcm[i : i + 160])
            n = lib.Encoder_Interface_Encode(state, 7, frame.ctypes.data, buf, 0)  # 7 = MR122
            out += buf.raw[:n]
    finally:
        lib.Encoder_Interface_exit(state)
    dest.write_bytes(bytes(out))


def corrupt_bytes(n: int, rng: np.random.Generator) -> bytes:
    """An 'MP3' that is not one: an ID3 tag header followed by noise without any
    0xFF byte, so no MPEG frame sync can ever be found in it."""
    header = b"ID3\x03\x00\x00\x00\x00\x07\x76"
    return header + rng.integers(0, 255, size=n - len(header), dtype=np.uint8).tobytes()


def build(out: Path) -> list[dict]:
    spec = json.loads(SCRIPTS.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("call_*"), out / "metadata.csv"]:  # only what this script writes
        old.unlink(missing_ok=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        master = tmp / "master.wav"
        masters: dict[str, np.ndarray] = {}  # file -> samples, for re-exports
        for i, call in enumerate(spec["calls"], start=1):
            rng = np.random.default_rng(1000 + i)
            if "reexport_of" in call:
                audio = reexport(masters[call["reexport_of"]], call, rng)
            else:
                audio = assemble(call, spec["voices"], rng, tmp)
            audio = apply_edits(audio, call.get("edits", []))
            masters[call["file"]] = audio
            write_wav(master, audio)
            encode(master, out / call["file"], call["codec"])
            rows.append(row(call, len(audio) / SR))
            print(
                f"{call['file']:14} {call['codec']:9} {audio.shape[1]}ch "
                f"{len(audio) / SR:5.1f}s {call.get('language', '')}"
                + (f" re-export of {call['reexport_of']}" if "reexport_of" in call else "")
                + (f" edits {call['edits']}" if call.get("edits") else "")
            )

        nc = spec["noise_call"]
        audio = noise_only(nc["seconds"], np.random.default_rng(19))
        write_wav(master, audio)
        encode(master, out / nc["file"], nc["codec"])
        rows.append(row(nc, len(audio) / SR))
        print(f"{nc['file']:14} noise only")

    bad = spec["corrupt_file"]
    (out / bad["file"]).write_bytes(corrupt_bytes(bad["bytes"], np.random.default_rng(20)))
    rows.append(row(bad, None))
    print(f"{bad['file']:14} corrupt")

    dup = spec["duplicate"]
    shutil.copyfile(out / dup["copy_of"], out / dup["file"])
    original = next(r for r in rows if r["file"] == dup["copy_of"])
    rows.append(row(dup, float(original["duration_s"])))
    print(f"{dup['file']:14} copy of {dup['copy_of']}")

    rows.sort(key=lambda r: r["file"])
    with open(out / "metadata.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def row(entry: dict, seconds: float | None) -> dict:
    meta = dict(entry["meta"])
    if "duration_s" not in meta:  # planted mismatches carry their own (wrong) duration
        meta["duration_s"] = round(seconds, 1) if seconds is not None else ""
    return {"file": entry["file"], **{k: meta.get(k, "") for k in CSV_COLUMNS[1:]}}


def check(out: Path) -> int:
    """Decode every file with PyAV, the way callsift reads audio."""
    import av  # only needed for --check

    failures = 0
    for path in sorted(out.iterdir()):
        if path.suffix == ".csv":
            continue
        try:
            with av.open(str(path)) as container:
                stream = container.streams.audio[0]
                samples = sum(frame.samples for frame in container.decode(stream))
                ctx = stream.codec_context
                print(
                    f"ok   {path.name:14} {container.format.name.split(',')[0]:5} {ctx.name:10}"
                    f" {ctx.channels}ch {ctx.sample_rate}Hz {samples / ctx.sample_rate:5.1f}s"
                )
        except (av.error.FFmpegError, IndexError) as exc:
            failures += 1
            print(f"FAIL {path.name:14} {type(exc).__name__}: {exc}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="decode every file with PyAV")
    args = parser.parse_args()
    build(args.out)
    if args.check:
        failures = check(args.out)
        print(f"{failures} file(s) failed to decode (1 expected: the planted corrupt file)")
        return 0 if failures == 1 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Redaction for publication: no masked number, name or identifying metadata in any byte.

Readers of published intercepts recovered soldiers' numbers from files'
metadata, so these tests look at every byte of the package: the raw ZIP
(headers, names, comment, stored WAVs) and every member decompressed. A
recording arrives with tags and a telling file name, a sheet row with
private fields, and a transcript (planted at the times of real speech in the
audio) in which a number is said in digits and in words; the WAV samples are
read back at those words' timestamps.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import wave
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import phonenumbers
import pytest

from callsift.analyze.flags import load_watchlists
from callsift.analyze.run import AnalyzeOptions, analysis_key, analyze_segment
from callsift.export.formats import FORMATS, write_format
from callsift.export.manifest import verify_package
from callsift.export.package import build_package
from callsift.export.redact import Redaction, redact_text
from callsift.ingest.run import ingest_paths
from callsift.records import AudioInfo, Segment, Word
from callsift.store import CaseStore, channels_of, get_call, list_calls, segments_of
from callsift.store.analysis import save_analysis, stored_segments
from callsift.store.review import add_annotation, correct_segment
from callsift.verify import check_case
from callsift.verify.status import set_status

from .conftest import pdf_text

FILE = "Sidorov_89035556427_kedr.flac"
TAGS = {
    "title": "Kedr handset dump 4417",
    "artist": "Сидоров Иван Петрович",
    "comment": "IMEI 356938035643809",
}
ROW = {
    "caller": "+7 (903) 555-64-27",
    "receiver": "067 555 81 12",
    "started_at": "2022-03-04T19:40:00+03:00",
    "duration_s": "21.2",
    "location": "Bucha",
    "notes": f"from {FILE}; his brother is on 8 903 555 64 28",
    "intercept_ref": "IR-7731-KEDR",
    "handset_imei": "356938035643809",
}
PRIVATE = ("intercept_ref", "handset_imei")
NAME = "Серёжа"
# The team's own work on the calls: who did it and what they wrote to each other.
TEAM = ("oksana.hrytsenko", "taras.melnyk", "iryna.bondar")
NOTES = (
    "Check Kherson vs Kyiv with cell tower data",
    "heard again on headphones, second speaker unclear",
    "matches the unit roster from the March leak",
)
# The planted words: (start, end, word), at times where call_001.wav holds speech.
WRITTEN = [
    (7.30, 7.60, " Запиши"),
    (7.65, 7.95, " номер:"),
    (8.20, 8.35, " 8"),
    (8.40, 8.80, " 903"),
    (8.85, 9.20, " 555"),
    (9.25, 9.50, " 64"),
    (9.55, 9.80, " 27."),
]
SPOKEN = [
    (13.00, 13.20, " Или"),
    (13.25, 13.50, " звони"),
    (13.55, 13.65, " на"),
    (13.70, 13.95, " ноль"),
    (14.00, 14.40, " шестьдесят"),
    (14.45, 14.65, " семь"),
    (14.70, 15.00, " пятьсот"),
    (15.05, 15.30, " пятьдесят"),
    (15.35, 15.50, " пять"),
    (15.55, 15.75, " восемьдесят"),
    (15.76, 15.84, " один"),
    (15.85, 15.92, " двенадцать."),
]
SPOKEN_NUMBER = (13.70, 15.92)  # from "ноль" to "двенадцать"
WRITTEN_NUMBER = (8.20, 9.80)


@dataclass(frozen=True)
class Published:
    """The same calls packed twice, for the record and for publication, and what to look for."""

    redacted: bytes
    plain: bytes
    call_id: int
    numbers: tuple[str, ...]
    names: tuple[str, ...]
    private: tuple[str, ...]
    paths: tuple[str, ...]
    name_word: tuple[float, float]
    case: Path
    ids: tuple[int, ...]
    actors: tuple[str, ...]


def _segment(
    start: float, end: float, words: list[tuple[float, float, str]], english: str
) -> Segment:
    text = "".join(word for _, _, word in words).strip()
    timed = [Word(s, e, word, 0.9) for s, e, word in words]
    return Segment(0, start, end, text, "ru", -0.2, 0.05, 1.2, timed, english)


def _tagged_copy(source: Path, target: Path) -> None:
    """``source`` re-encoded as FLAC (lossless) with identifying tags."""
    with av.open(str(source)) as inp, av.open(str(target), "w", format="flac") as out:
        out.metadata.update(TAGS)
        stream = out.add_stream("flac", rate=8000, layout="mono")
        for frame in inp.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _plant_transcript(store: CaseStore, call_id: int, like: int) -> None:
    """Call ``like``'s transcript, with two segments saying a number, then analysed."""
    real = segments_of(store, like)
    written = _segment(7.26, 9.90, WRITTEN, "Write down: +79035556427.")
    spoken = _segment(
        12.94, 15.92, SPOKEN, "Or call zero six seven five five five eight one one two."
    )
    kept = [s for s in real if all(s.end <= p.start or s.start >= p.end for p in (written, spoken))]
    segments = sorted([*kept, written, spoken], key=lambda segment: segment.start)
    (channel,) = channels_of(store, like)
    channel = replace(channel, segments=segments)
    call = get_call(store, like)
    assert call is not None and call.duration_s is not None
    info = AudioInfo(call.duration_s, 8000, 1, "flac", "flac")
    store.save_transcript(call_id, info, [channel], json.dumps({"test": "planted number"}))
    options = AnalyzeOptions()
    watchlists = load_watchlists(options.watchlists)
    results = [analyze_segment(s, watchlists, i) for i, s in stored_segments(store, call_id)]
    save_analysis(store, call_id, analysis_key(options), results)


def _forms(raw: str) -> set[str]:
    """Every way the number gets written: as in the sheet, digits, E.164, national, trunk."""
    forms = {raw, re.sub(r"\D", "", raw)}
    for region in ("RU", "UA", None):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        national = str(number.national_number)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        forms |= {e164, e164[1:], national}
        forms.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
        forms.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
        prefix = phonenumbers.PhoneMetadata.metadata_for_region(
            phonenumbers.region_code_for_number(number) or "ZZ"
        )
        if prefix is not None and prefix.national_prefix:
            forms.add(prefix.national_prefix + national)
    return {form for form in forms if len(re.sub(r"\D", "", form)) >= 5}


@pytest.fixture(scope="module")
def published(
    demo_case: Path, tmp_path_factory: pytest.TempPathFactory, demo_dir: Path
) -> Published:
    root = tmp_path_factory.mktemp("publish")
    shutil.copytree(demo_case, root / "case")
    inbox = root / "inbox"
    inbox.mkdir()
    _tagged_copy(demo_dir / "call_001.wav", inbox / FILE)
    with open(inbox / "sheet.csv", "w", encoding="utf-8", newline="") as sheet:
        writer = csv.DictWriter(sheet, ["file", *ROW])
        writer.writeheader()
        writer.writerow({"file": FILE, **ROW})
    with CaseStore(root / "case") as store:
        ingest_paths(store, [inbox / FILE, inbox / "sheet.csv"])
        (call,) = [c for c in list_calls(store) if c.file == FILE]
        _plant_transcript(store, call.id, like=1)
        check_case(store)  # findings name other calls' files, and the sheet's numbers
        set_status(
            store,
            call.id,
            "corroborated",
            "ana",
            note=f"same voice as call_001.wav; {FILE} came with {ROW['intercept_ref']}; "
            f"he gives {ROW['caller']}",
            links=[1],
        )
        _plant_team_work(store, call.id)
        # 3: one recording under two names, its rows differing in intercept_ref;
        # 18: an invalid number (12345) and a UK one of the drama range.
        ids = [call.id, 1, 3, 18]
        redaction = Redaction(names=(NAME,), private_fields=PRIVATE)
        redacted = build_package(store, ids, root / "public.zip", redaction=redaction)
        plain = build_package(store, ids, root / "record.zip")
        sheet_rows = {c.file: c.metadata or {} for c in list_calls(store) if c.id in ids}
        numbers = {str(m[role]) for m in sheet_rows.values() for role in ("caller", "receiver")}
        numbers.add("8 903 555 64 28")  # in the notes
        names = {name for c in list_calls(store) if c.id in ids for name in c.names}
        with open(demo_dir / "metadata.csv", encoding="utf-8") as demo_sheet:
            rows = [*csv.DictReader(demo_sheet), {"file": FILE, **ROW}]
        private = {row[f] for row in rows if row["file"] in names for f in PRIVATE if row.get(f)}
        name_word = next(
            (w.start, w.end)
            for s in segments_of(store, call.id)
            for w in s.words
            if "Серёж" in w.word
        )
        return Published(
            redacted=redacted.path.read_bytes(),
            plain=plain.path.read_bytes(),
            call_id=call.id,
            numbers=tuple(sorted(numbers)),
            names=tuple(sorted(names | {Path(n).stem for n in names})),
            private=tuple(sorted(private)),
            paths=(str(inbox), str(root / "case")),
            name_word=name_word,
            case=root / "case",
            ids=tuple(ids),
            actors=tuple({entry["actor"] for entry in store.custody()}),
        )


def _plant_team_work(store: CaseStore, call_id: int) -> None:
    """A note, a correction and a verdict on two of the published calls, each with its words."""
    add_annotation(store, call_id, TEAM[0], NOTES[0], 0, 2.0)
    segment = segments_of(store, 3)[0]
    correct_segment(store, 3, segment.id or 0, segment.text + " (checked)", TEAM[1], 1, NOTES[1])
    set_status(store, 3, "verified", TEAM[2], note=NOTES[2])


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _binary(name: str) -> bool:
    return name.endswith(".wav") or "/original/" in name


def _texts(data: bytes) -> dict[str, str]:
    """Every member but the audio, decoded: they are all UTF-8 text."""
    return {name: raw.decode("utf-8") for name, raw in _members(data).items() if not _binary(name)}


_HASH = re.compile(r"[0-9a-f]{32,}")
_HASH_BYTES = re.compile(rb"[0-9a-f]{32,}")
_DIGIT_RUN = re.compile(r"\+?\d(?:[ \-().\u00a0/]*\d)*")


def _found(needles: Iterable[str], data: bytes) -> set[str]:
    """Needles anywhere in the package: its raw bytes, its audio, its texts.

    In the texts the search ignores case and JSON escapes, and a needle of
    digits only counts standing alone (not inside a longer run of digits).
    Hashes are left out: they are kept on purpose and are random digits.
    """
    members = _members(data)
    blobs = [data, *(raw for n, raw in members.items() if _binary(n))]
    return _found_in(needles, blobs, list(_texts(data).values()))


def _found_in(needles: Iterable[str], blobs: list[bytes], texts: list[str]) -> set[str]:
    blobs = [_HASH_BYTES.sub(b" ", blob) for blob in blobs]
    texts = [_HASH.sub(" ", text).casefold() for text in texts]
    hits = set()
    for needle in needles:
        spellings = {needle.casefold(), json.dumps(needle)[1:-1].casefold()}
        if any(needle.encode() in blob for blob in blobs):
            hits.add(needle)
        elif needle.isdigit():
            pattern = re.compile(rf"(?<!\d){needle}(?!\d)")
            if any(pattern.search(text) for text in texts):
                hits.add(needle)
        elif any(spelling in text for text in texts for spelling in spellings):
            hits.add(needle)
    return hits


def _national(raw: str) -> str:
    """The digits a number keeps in every form: its national significant number."""
    for region in ("RU", "UA", None):
        try:
            return str(phonenumbers.parse(raw, region).national_number)
        except phonenumbers.NumberParseException:
            continue
    return re.sub(r"\D", "", raw)


def test_no_number_in_any_written_form_anywhere(published: Published) -> None:
    forms = {form for raw in published.numbers for form in _forms(raw)}
    assert {
        "+79035556427",
        "79035556427",
        "9035556427",
        "89035556427",
        "0675558112",
        "12345",
    } <= forms
    assert _found(forms, published.plain)  # the record keeps them: the search can see them
    assert _found(forms, published.redacted) == set()
    # However the separators fall, no run of digits holds a number's national digits.
    national = {_national(raw) for raw in published.numbers}
    for name, text in _texts(published.redacted).items():
        runs = {re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(_HASH.sub(" ", text))}
        leaked = [d for d in national if d in runs or (len(d) >= 9 and any(d in r for r in runs))]
        assert leaked == [], name


def test_the_spoken_number_and_the_name_are_masked_in_every_text(published: Published) -> None:
    said = ["шестьдесят семь пятьсот", "восемьдесят один двенадцать", "six seven five five"]
    plain, redacted = _texts(published.plain), _texts(published.redacted)
    folder = f"call-{published.call_id:04d}"
    assert all(
        phrase in plain[f"{folder}/transcript.json"] + plain[f"{folder}/translation.en.txt"]
        for phrase in said
    )
    for name, text in redacted.items():
        lowered = text.casefold()
        assert not [p for p in said if p in lowered], name
        assert "серёж" not in lowered and "сереж" not in lowered and "seryozh" not in lowered, name
    transcript = redacted[f"{folder}/transcript.txt"]
    assert "Запиши номер: [REDACTED]." in transcript
    assert "Или звони на [REDACTED]." in transcript
    # Heard "…, это я, Серёжа." or "…! Это я, Серёжа!" as the CPU's rounding goes.
    assert re.search(r"[Ээ]то я, \[REDACTED\][.!]", transcript)


def test_no_file_name_tag_private_field_or_path_in_any_byte(published: Published) -> None:
    identifying = [
        *published.names,
        *TAGS.values(),
        "Сидоров",
        *published.private,
        *published.paths,
    ]
    assert set(published.private) >= {ROW["intercept_ref"], ROW["handset_imei"]}
    assert {FILE, *TAGS.values()} <= _found(identifying, published.plain)  # in the original
    assert _found(identifying, published.redacted) == set()
    # Not even a piece: every intercept reference of the sheet starts "IR-".
    assert all(value.startswith("IR-") for value in published.private if "IR" in value)
    assert [name for name, text in _texts(published.redacted).items() if "IR-" in text] == []
    assert [name for name, text in _texts(published.plain).items() if "IR-" in text]


def test_no_team_member_or_internal_note_in_any_byte(published: Published) -> None:
    """A publication holds what is meant for the public: not who on the team did what,
    nor what they wrote to each other (annotations, correction and verdict notes)."""
    people = [*TEAM, *(actor for actor in published.actors if len(actor) >= 4)]
    numbers = {form for raw in published.numbers for form in _forms(raw)}
    needles = [*people, *NOTES, *numbers, NAME]
    assert set(TEAM) | set(NOTES) <= _found(needles, published.plain)  # the record keeps them
    assert _found(needles, published.redacted) == set()
    assert not [n for n in _members(published.redacted) if n.endswith("annotations.json")]


def test_zip_and_wav_headers_carry_nothing_but_structure(published: Published) -> None:
    with zipfile.ZipFile(io.BytesIO(published.redacted)) as archive:
        assert re.fullmatch(rb"callsift-package sha256=[0-9a-f]{64}", archive.comment)
        for info in archive.infolist():
            assert re.fullmatch(
                r"manifest\.json|custody-chain\.json"
                r"|call-\d{4}/(audio/channel-\d\.wav|[a-z.]+\.(json|srt|vtt|txt))",
                info.filename,
            )
            assert (info.extra, info.comment, info.date_time) == (b"", b"", (1980, 1, 1, 0, 0, 0))
            assert "/original/" not in info.filename  # the original carries tags and the voice
            if info.filename.endswith(".wav"):
                wav = archive.read(info)
                assert (
                    wav[:4] == b"RIFF"
                    and wav[36:40] == b"data"
                    and len(wav) == 44 + int.from_bytes(wav[40:44], "little")
                )


def test_the_redacted_package_is_a_sealed_package_too(published: Published, tmp_path: Path) -> None:
    path = tmp_path / "public.zip"
    path.write_bytes(published.redacted)
    result = verify_package(path)
    assert (result.ok, result.redacted) == (True, True)
    manifest = json.loads(_members(published.redacted)["manifest.json"])
    assert manifest["redaction"]["private_fields"] == list(PRIVATE)
    assert manifest["redaction"]["names"] == 1  # how many, never which
    assert all({"file", "names", "sidecar"}.isdisjoint(entry) for entry in manifest["calls"])


def _samples(wav: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(wav)) as audio:
        rate = audio.getframerate()
        return np.frombuffer(audio.readframes(audio.getnframes()), "<i2") / 32768.0, rate


def _tone_or_silence(x: np.ndarray) -> bool:
    """Digital silence, or one pure tone (99 % of the energy within 2 bins of the peak)."""
    if np.sqrt(np.mean(x**2)) < 1e-3:
        return True
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    peak = int(np.argmax(power))
    return bool(power[max(0, peak - 2) : peak + 3].sum() >= 0.99 * power.sum())


def test_bleeped_where_the_masked_words_were_said_and_untouched_elsewhere(
    published: Published,
) -> None:
    wav = f"call-{published.call_id:04d}/audio/channel-0.wav"
    redacted, rate = _samples(_members(published.redacted)[wav])
    plain, _ = _samples(_members(published.plain)[wav])
    assert len(redacted) == len(plain)
    said = [WRITTEN_NUMBER, SPOKEN_NUMBER, published.name_word]
    for start, end in said:
        window = slice(int(start * rate), int(end * rate))
        assert not _tone_or_silence(plain[window]), (start, end)  # speech in the record
        assert _tone_or_silence(redacted[window]), (start, end)  # nothing of it in public
    manifest = json.loads(_members(published.redacted)["manifest.json"])
    entry = next(c for c in manifest["calls"] if c["id"] == published.call_id)
    assert entry["normalised_audio"]["bleeped_spans"] == [list(span) for span in sorted(said)]
    # The bleep covers the masked words (widened by 0.15 s), never the words around them.
    covered = np.zeros(len(plain), dtype=bool)
    for start, end in said:
        covered[max(0, int((start - 0.16) * rate)) : int((end + 0.16) * rate) + 1] = True
    assert np.array_equal(redacted[~covered], plain[~covered])
    write_down = slice(int(7.30 * rate), int(7.95 * rate))  # "Запиши номер:"
    assert np.array_equal(redacted[write_down], plain[write_down])


@pytest.mark.parametrize(
    "text",
    [
        "+7 (903) 555-64-27",
        "8 903 555 64 27",
        "89035556427",
        "+79035556427",
        "9035556427",
        "(067) 555-81-12",
        "067 555 81 12",
        "+380675558112",
        "восемь девятьсот три пятьсот пятьдесят пять шестьдесят четыре двадцать семь",
        "нуль шістдесят сім п'ятсот п'ятдесят п'ять вісімдесят один дванадцять",
        "eight nine oh three five five five six four two seven",
    ],
)
def test_numbers_are_masked_however_written_or_said(text: str) -> None:
    masked = redact_text(f"Звони: {text}, жду.", Redaction())
    assert masked == "Звони: [REDACTED], жду."


@pytest.mark.parametrize(
    "text",
    [
        "14.03.2022 в 18:22:05+03:00",
        "2022-03-14",
        "убили двенадцать человек",
        "1 200 000 рублей",
        "331-го полка",
        "sha256 9ba9dcc1c2e84337ea928c72cf9f3f8581a925a5713f98080515fbfe122440b0",
    ],
)
def test_dates_figures_and_hashes_are_spared(text: str) -> None:
    assert redact_text(text, Redaction()) == text


def test_a_name_is_masked_in_every_form_and_spelling() -> None:
    redaction = Redaction(names=(NAME,))
    assert redact_text("Серёжа, Серёжи, Серёже и Сережей нет", redaction) == (
        "[REDACTED], [REDACTED], [REDACTED] и [REDACTED] нет"
    )
    english = redact_text("This is me, Seryozha. Serezha's mother.", redaction)
    assert english.startswith("This is me, [REDACTED]. [REDACTED]") and "Serezha" not in english
    assert redact_text("Мы стоим под Серпуховом", redaction) == "Мы стоим под Серпуховом"


def test_a_stereo_call_is_bleeped_on_both_channels(export_case: CaseStore, tmp_path: Path) -> None:
    """Each party is heard faintly on the other's channel: a masked word goes on both."""
    said = [
        (segment.channel, word.start, word.end)
        for segment in segments_of(export_case, 10)
        for word in segment.words
        if re.search("л[её]ш", word.word, re.IGNORECASE)
    ]
    assert {channel for channel, _, _ in said} == {0, 1}  # the son says it, and his mother
    public = build_package(
        export_case, [10], tmp_path / "public.zip", redaction=Redaction(names=("Лёша",))
    )
    record = build_package(export_case, [10], tmp_path / "record.zip")
    for channel in (0, 1):
        wav = f"call-0010/audio/channel-{channel}.wav"
        redacted, rate = _samples(_members(public.path.read_bytes())[wav])
        plain, _ = _samples(_members(record.path.read_bytes())[wav])
        for _, start, end in said:
            window = slice(int(start * rate), int(end * rate))
            assert _tone_or_silence(redacted[window]), (channel, start, end)
            assert not np.array_equal(redacted[window], plain[window])


def _format_contents(path: Path, fmt: str) -> tuple[list[bytes], list[str]]:
    """The bytes of an export, and every text a reader would get out of it."""
    data = path.read_bytes()
    if fmt == "pdf":
        return [data], [pdf_text(data)]
    if fmt == "csv":  # written as a ZIP of every table
        members = _members(data)
        return [data], [raw.decode("utf-8-sig") for raw in members.values()]
    if fmt == "sqlite":
        sidecar = path.with_suffix(".metadata.json")
        with sqlite3.connect(path) as db:
            dump = "\n".join(db.iterdump())
        return [data, sidecar.read_bytes()], [dump, sidecar.read_text(encoding="utf-8")]
    return [data], [data.decode("utf-8")]


_SUFFIX = {"html": "html", "pdf": "pdf", "ftm": "ftm.json", "sqlite": "db", "csv": "zip"}


@pytest.fixture(scope="module")
def formats(
    published: Published, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[tuple[list[bytes], list[str]], tuple[list[bytes], list[str]]]]:
    """Every report and data format of the same calls, for the record and for publication."""
    out = tmp_path_factory.mktemp("formats")
    redaction = Redaction(names=(NAME,), private_fields=PRIVATE)
    made = {}
    with CaseStore(published.case) as store:
        for fmt in FORMATS:
            (out / "plain").mkdir(exist_ok=True)
            (out / "public").mkdir(exist_ok=True)
            plain = write_format(store, fmt, published.ids, out / "plain" / f"x.{_SUFFIX[fmt]}")
            public = write_format(
                store, fmt, published.ids, out / "public" / f"x.{_SUFFIX[fmt]}", redaction
            )
            made[fmt] = (_format_contents(plain, fmt), _format_contents(public, fmt))
        logged = [
            e["detail"]
            for e in store.custody()
            if e["action"] == "export" and (e["detail"] or {}).get("format") in FORMATS
        ]
    # Each export is in the custody log against each call, the public ones marked.
    assert sum(1 for detail in logged if detail["redacted"]) == len(FORMATS) * len(published.ids)
    return made


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_and_data_format_can_be_published_redacted(
    formats: dict[str, Any], published: Published, fmt: str
) -> None:
    (plain_blobs, plain_texts), (public_blobs, public_texts) = formats[fmt]
    numbers = {form for raw in published.numbers for form in _forms(raw)}
    identifying = {
        *published.names,
        *TAGS.values(),
        "Сидоров",
        *published.private,
        *published.paths,
        NAME,
        "Сережа",
    }
    reviewer = re.compile(r"(?<![a-z_])ana(?![a-z_])")  # the reviewer; "analyzed_with" is not
    # The record holds them, so the search can see them in this format…
    assert _found_in(numbers, plain_blobs, plain_texts)
    assert _found_in(identifying, plain_blobs, plain_texts)
    # …and the publication holds none of them, in any byte or any text.
    assert _found_in(numbers, public_blobs, public_texts) == set()
    assert _found_in(identifying, public_blobs, public_texts) == set()
    assert not any("IR-" in text for text in public_texts)
    if fmt in ("sqlite", "csv", "html", "pdf"):  # those that name reviewers
        assert any(reviewer.search(text) for text in plain_texts)
    assert not any(reviewer.search(text) for text in public_texts)
    national = {_national(raw) for raw in published.numbers}
    for text in public_texts:
        runs = {re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(_HASH.sub(" ", text))}
        assert [
            d for d in national if d in runs or (len(d) >= 9 and any(d in r for r in runs))
        ] == []
    assert any("[REDACTED]" in text for text in public_texts)

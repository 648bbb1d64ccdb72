"""A mono call through ``process``: two voices, their parties, and the per-party logic fed.

Real model, real audio: call_001 is a son (who introduces himself, "Это я,
Серёжа") ringing his mother on one mono channel.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from callsift.analyze.roles import name_roles
from callsift.cli import app
from callsift.export.package import build_package
from callsift.export.redact import Redaction
from callsift.export.transcripts import to_txt, to_vtt
from callsift.graph.voices import VoiceOptions, voice_case
from callsift.graph.voices.speakers import holds_both_parties
from callsift.ingest.run import ingest_paths
from callsift.parties import CallParties, call_parties
from callsift.pipeline import ProcessOptions, process_case
from callsift.store import CaseStore, channels_of, segments_of
from callsift.store.speakers import speakers_of
from callsift.store.voices import voice_prints

CALLS = Path(__file__).resolve().parents[2] / "demo" / "calls"


@pytest.fixture(scope="module")
def mono_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("in")
    for name in ("call_001.wav", "metadata.csv"):
        shutil.copy(CALLS / name, source / name)
    root = tmp_path_factory.mktemp("speakers") / "case"
    with CaseStore(root) as store:
        ingest_paths(store, [source])
        process_case(store, ProcessOptions(workers=0, translate=False))
    return root


def test_the_mono_call_is_split_into_two_voices(mono_case: Path) -> None:
    with CaseStore(mono_case) as store:
        segments = segments_of(store, 1)
        (channel,) = channels_of(store, 1)

    assert channel.speakers_reason and channel.speakers_reason.startswith("two voices")
    assert {s.speaker for s in segments} == {1, 2}
    son = " ".join(s.text for s in segments if s.speaker == 1)
    mother = " ".join(s.text for s in segments if s.speaker == 2)
    assert "Буч" in son and "двенадцать" in son
    assert "Сынок" in mother or "сынок" in mother
    assert "Буч" not in mother


def test_each_voice_gets_its_party_and_language(mono_case: Path) -> None:
    with CaseStore(mono_case) as store:
        voices = speakers_of(store, 1)
        labels = {(v.channel, v.speaker): v.label for v in speakers_of(store, 1)}

    assert [(v.speaker, v.role) for v in voices] == [(1, "caller"), (2, "receiver")]
    assert "introduces themselves" in (voices[0].role_reason or "")
    assert [v.language for v in voices] == ["ru", "ru"]
    assert all(v.language_reason for v in voices)
    assert all(v.speech_s > 3 for v in voices)
    assert labels == {(0, 1): "caller", (0, 2): "receiver"}


def test_transcript_exports_name_the_voices(mono_case: Path) -> None:
    with CaseStore(mono_case) as store:
        segments = segments_of(store, 1)
        parties = call_parties(store, 1)

    text = to_txt(segments, parties=parties)
    assert "[Speaker 1 (caller), +79035551708, ru]" in text
    assert "[Speaker 2 (receiver), +79165552341, ru]" in text
    assert "<v Speaker 1 (caller), +79035551708>" in to_vtt(segments, parties=parties)
    unknown = CallParties(1)  # no roles known: neutral labels
    assert "<v Speaker 2>" in to_vtt(segments, parties=unknown)


def test_voices_across_calls_embed_each_voice_as_a_party(mono_case: Path) -> None:
    with CaseStore(mono_case) as store:
        report = voice_case(store, VoiceOptions())
        prints = voice_prints(store, report.model)

    assert [(p.speaker, p.mixed, p.role) for p in prints] == [
        (1, False, "caller"),
        (2, False, "receiver"),
    ]
    members = [m for c in report.clusters for m in c.members]
    assert {(m.speaker, m.party, m.number) for m in members} == {
        (1, "caller", "+79035551708"),
        (2, "receiver", "+79165552341"),
    }
    son, mother = (np.asarray(p.embedding) for p in prints)
    assert float(son @ mother) < VoiceOptions().threshold  # two voices, not one


def test_redaction_by_party_masks_and_bleeps_one_voice_of_the_mono_call(
    mono_case: Path, tmp_path: Path
) -> None:
    with CaseStore(mono_case) as store:
        mother = [s for s in segments_of(store, 1) if s.speaker == 2]
        package = build_package(
            store, [1], tmp_path / "out.zip", redaction=Redaction(parties=("receiver",))
        )
    with zipfile.ZipFile(package.path) as zipped:
        names = zipped.namelist()
        transcript = json.loads(
            zipped.read(next(n for n in names if n.endswith("transcript.json")))
        )
        subtitles = zipped.read(next(n for n in names if n.endswith("transcript.txt"))).decode()

    said = {s["speaker"]: [] for s in transcript["segments"]}
    for segment in transcript["segments"]:
        said[segment["speaker"]].append(segment["text"])
    assert set(said[2]) == {"[REDACTED]"} and len(said[2]) == len(mother)
    assert any("Буч" in text for text in said[1])  # the caller is kept (no number in it)
    assert "[Speaker 2 (receiver), ru]  [REDACTED]" in subtitles  # no number: redacted
    assert not any(w in subtitles for s in mother for w in s.text.split() if len(w) > 4)


def test_without_diarisation_the_channel_stays_both_parties(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(CALLS / "call_001.wav", source)
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [source])
        process_case(store, ProcessOptions(workers=0, translate=False, speakers=None))
        segments = segments_of(store, 1)
        assert speakers_of(store, 1) == []
        assert channels_of(store, 1)[0].speakers_reason is None
    assert segments and all(s.speaker is None for s in segments)


def test_only_a_mix_of_both_sides_is_diarised() -> None:
    voice = np.full(1600, 0.1, np.float32)
    silence = np.zeros(1600, np.float32)

    assert holds_both_parties([voice], 1)  # mono
    assert holds_both_parties([voice, voice], 1)  # stereo merged as one mix
    assert not holds_both_parties([voice, silence], 1)  # the other side silent: one party
    assert not holds_both_parties([voice, voice], 2)  # one party per channel


@pytest.mark.parametrize(
    "turns, roles",
    [
        (
            [(1, "Мама, привет. Это я, Серёжа."), (2, "Сынок, где ты?")],
            {1: "caller", 2: "receiver"},
        ),
        (
            [(1, "Коля, это мама. Ты меня слышишь?"), (2, "Слышу, мама.")],
            {1: "caller", 2: "receiver"},
        ),
        ([(2, "Алло?"), (1, "Тату, це я, Тарас.")], {1: "caller", 2: "receiver"}),
        ([(1, "Hello?"), (2, "Jamie, it's Dad.")], {2: "caller", 1: "receiver"}),
        ([(1, "Паша, это ужасно."), (2, "Мы стреляли по городу.")], {}),
        ([(1, "Это я, Андрей."), (2, "Это я, Лена.")], {}),
    ],
)
def test_roles_come_from_introductions_and_bare_answers(
    turns: list[tuple[int, str]], roles: dict[int, str]
) -> None:
    found, reason = name_roles(turns)

    assert found == roles
    assert reason


def test_show_names_each_voice_on_its_lines(mono_case: Path) -> None:
    result = CliRunner().invoke(app, ["show", "1", "--case", str(mono_case)])
    assert result.exit_code == 0, result.output
    assert "caller: ru" in result.output and "receiver: ru" in result.output
    assert "Speaker 1 (caller), +79035551708, ru" in result.output
    assert "Speaker 2 (receiver), +79165552341, ru" in result.output

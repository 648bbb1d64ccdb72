"""Codes and numbers as people read them, in English and Ukrainian (web/formats.py)."""

from __future__ import annotations

from callsift.web import formats
from callsift.web.i18n import in_language


def test_audio_codes_read_as_people_know_them() -> None:
    assert formats.container("mov,mp4,m4a,3gp,3g2,mj2") == "MP4/M4A"
    assert formats.container("matroska,webm") == "Matroska/WebM"
    assert formats.container("wav") == "WAV"
    assert formats.container("w64") == "W64"  # unknown: its own name, upper-cased
    assert formats.codec("pcm_alaw") == "G.711 A-law"
    assert formats.codec("amr_nb") == "AMR-NB"
    assert (formats.sample_rate(8000), formats.sample_rate(44100)) == ("8 kHz", "44.1 kHz")
    assert [formats.channels(n) for n in (1, 2, 6)] == ["mono", "stereo", "6 channels"]


def test_casualty_figures_and_shares_read_as_said() -> None:
    assert formats.casualty(12.0, None, "killed") == "12 killed"
    assert formats.casualty(None, 0.5, "wounded") == "half wounded"
    assert formats.casualty(None, 1.0, "killed") == "all killed"
    assert formats.casualty(None, 0.25, "missing") == "25% missing"
    assert formats.casualty(None, None, "killed") == "killed"


def test_labels_for_codes_and_fields() -> None:
    assert [formats.entity(t) for t in ("LOC", "PER", "unit")] == [
        "Place",
        "Person",
        "Military unit",
    ]
    assert formats.field("started_at") == "Started" and formats.field("intercept_ref") == (
        "Intercept ref"
    )
    assert formats.month_day("--03-20") == "20 Mar"
    assert formats.percent(0.905) == "90%"  # half to even, as Babel rounds
    assert formats.language("uk") == "Ukrainian"
    assert formats.number_facts("RU", "Russia", "Beeline", "fixed_line") == (
        "Russia · Beeline · landline"
    )
    assert formats.problem("started_at '2022-03-32' is not an ISO 8601 date") == (
        "Started: “2022-03-32” is not an ISO 8601 date"
    )


def test_names_come_in_the_readers_language() -> None:
    with in_language("uk"):
        assert formats.language("ru") == "Російська"
        assert formats.country("UA") == "Україна"
        assert formats.month_day("--03-20") == "20 бер."

"""English that lost a town or a number is translated again, told what to listen for."""

from __future__ import annotations

import re
from pathlib import Path

from callsift.analyze.run import analyze_case
from callsift.ingest.run import ingest_paths
from callsift.pipeline import ProcessOptions, process_case
from callsift.records import Mention
from callsift.store import CaseStore
from callsift.store.analysis import mentions_of
from callsift.store.translations import english_of, english_to_check
from callsift.translate.repair import hint, repair_case

# "Мы под бахмутом…" (Bakhmut), "Нас отправили в Мариуполь" and "шість живи" (6):
# Whisper base's English lost the town or the number on the demo corpus.
CALLS = ("call_027.wav", "call_025.ogg", "call_016.amr")


def place(text: str, english: str | None) -> Mention:
    attrs = {"english": english} if english else {}
    return Mention("LOC", text, text.lower(), 0, len(text), attrs=attrs)


def test_the_hint_names_each_gazetteer_place_once() -> None:
    mentions = [place("Бахмут", "Bakhmut"), place("Бахмуте", "Bakhmut"), place("Ивана", None)]
    mentions.append(place("Изюм", "Izium"))
    assert hint(mentions) == "Bakhmut, Izium."
    assert hint([place("Ивана", None)]) is None


def test_a_segment_whose_english_lacks_its_town_gets_it(tmp_path: Path, demo_dir: Path) -> None:
    with CaseStore(tmp_path / "case") as store:
        ingest_paths(store, [demo_dir / name for name in CALLS])
        process_case(store, ProcessOptions(workers=0))
        analyze_case(store)
        first = repair_case(store)
        again = repair_case(store)
        calls = [row["id"] for row in store.conn.execute("SELECT id FROM calls")]
        places = 0
        for call_id in calls:
            shown = {row.segment_id: row for row in english_of(store, call_id)}
            for mention in mentions_of(store, call_id):
                if mention.type == "LOC" and mention.attrs.get("english"):
                    places += 1
                    english = shown[mention.segment_id].english or ""
                    assert re.search(rf"\b{mention.attrs['english']}\b", english), english
            for item in english_to_check(store, call_id):
                if item.repair is None:
                    continue
                row = shown[item.segment_id]
                if item.repair["kept"]:  # the reader is told what the model first wrote
                    assert row.machine == item.repair["after"] != item.repair["before"]
                    assert any(n["check"] == "repair" for n in row.notes)
                    assert item.repair["before"] in " ".join(n["detail"] for n in row.notes)
                else:  # a try that passed no more checks leaves the English as it was
                    assert row.machine == item.repair["before"]
    assert places >= 2
    assert first.tried >= first.kept
    assert again.tried == 0  # each segment is tried once per transcript

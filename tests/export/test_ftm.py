"""FollowTheMoney entities: valid against the model, linked, stable across runs."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.types import registry

from callsift.export.formats import write_format
from callsift.store import CaseStore

from ..conftest import DEMO_CALLS


@pytest.fixture(scope="module")
def entities(export_case: CaseStore, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("ftm") / "case.ftm.json"
    write_format(export_case, "ftm", None, out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _one(entities: list[dict], schema: str, prop: str, value: str) -> dict[str, Any]:
    found = [
        e for e in entities if e["schema"] == schema and value in e["properties"].get(prop, [])
    ]
    assert len(found) == 1, found
    return found[0]


def test_every_entity_validates_and_round_trips(entities: list[dict]) -> None:
    for data in entities:
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict() == data  # nothing the model would clean away or change
        proxy.schema.validate(data)  # raises InvalidData on any bad value
        for prop in proxy.schema.required:
            assert proxy.get(prop), (data["id"], prop)
    counts = Counter(e["schema"] for e in entities)
    assert counts["Audio"] == counts["Call"] == DEMO_CALLS
    assert counts["Person"] == 4 and counts["Mention"] > 20
    assert len({e["id"] for e in entities}) == len(entities)


def test_references_point_at_entities_in_the_file(entities: list[dict]) -> None:
    ids = {e["id"]: e["schema"] for e in entities}
    for data in entities:
        schema = model.get(data["schema"])
        for name, values in data["properties"].items():
            prop = schema.get(name)
            if prop.type == registry.entity:
                for value in values:
                    assert model.get(ids[value]).is_a(prop.range), (data["schema"], name)


def test_call_links_numbers_people_and_recording(entities: list[dict]) -> None:
    call = _one(entities, "Call", "date", "2022-03-04T16:12:40")  # call_001, +03:00 in UTC
    assert call["properties"]["callerNumber"] == ["+79035551708"]
    assert call["properties"]["receiverNumber"] == ["+79165552341"]
    callers = {
        _one(entities, "Person", "name", name)["id"] for name in ("Сидоров Иван", "Смирнов Олег")
    }
    assert set(call["properties"]["caller"]) == callers  # one number, two names: both linked
    audio = next(e for e in entities if e["id"] == call["properties"]["proof"][0])
    assert audio["properties"]["fileName"] == ["call_001.wav"]
    assert call["properties"]["recordId"][0] in audio["properties"]["description"][0]
    invalid = _one(entities, "Call", "date", "2022-03-21T12:00:00")  # call_018
    assert "callerNumber" not in invalid["properties"]
    assert "receiverNumber" not in invalid["properties"]
    assert invalid["properties"]["description"] == [
        "caller number as logged: +44 7700 900456 (not a valid number); "
        "receiver number as logged: 12345 (not a valid number); "
        "location in the metadata: Kharkiv"
    ]
    assert invalid["properties"]["receiver"] == [_one(entities, "Person", "name", "Коротыш")["id"]]


def test_audio_carries_hash_transcript_and_mentions(
    export_case: CaseStore, entities: list[dict]
) -> None:
    audio = _one(entities, "Audio", "fileName", "call_001.wav")
    props = audio["properties"]
    sha256 = props["description"][0].split("SHA-256 ")[1].split(";")[0]
    original = export_case.originals.path(sha256).read_bytes()
    assert props["contentHash"] == [hashlib.sha1(original).hexdigest()]
    assert props["fileSize"] == [str(len(original))] and props["mimeType"] == ["audio/x-wav"]
    assert props["duration"] == ["21155"] and props["language"] == ["rus"]
    assert "убили двенадцать человек" in props["bodyText"][0]
    assert "killed" in props["translatedText"][0] and props["translatedLanguage"] == ["eng"]
    assert props["locationMentioned"] == ["Буча"] and props["peopleMentioned"] == ["Серёжа"]
    failed = _one(entities, "Audio", "fileName", "call_020.mp3")["properties"]
    assert failed["processingStatus"] == ["failed"] and "bodyText" not in failed


def test_mentions_resolve_only_to_people_of_the_same_name(entities: list[dict]) -> None:
    andrey = _one(entities, "Person", "name", "Андрей")
    assert andrey["properties"]["phone"] == ["+79161112233"]
    assert andrey["properties"]["description"] == ["Unit: 2 батальон"]
    mentions = [
        e for e in entities if e["schema"] == "Mention" and "Андрей" in e["properties"]["name"]
    ]
    assert mentions and all(m["properties"]["resolved"] == [andrey["id"]] for m in mentions)
    place = _one(entities, "Mention", "name", "Буча")
    assert place["properties"]["detectedSchema"] == ["Address"]
    assert "resolved" not in place["properties"]


def test_ids_are_stable_and_independent_of_the_selection(
    export_case: CaseStore, entities: list[dict], tmp_path: Path
) -> None:
    again = write_format(export_case, "ftm", [2], tmp_path / "one.ftm.json")
    lines = [json.loads(line) for line in again.read_text(encoding="utf-8").splitlines()]
    assert {e["schema"] for e in lines} == {"Person", "Audio", "Call", "Mention"}
    whole = {e["id"]: e for e in entities}
    assert all(whole[e["id"]] == e for e in lines)

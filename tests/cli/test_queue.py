"""``callsift list --sort certainty``: the review queue, least certain first."""

from __future__ import annotations

from callsift.analyze.confidence import is_low

from .conftest import run


def test_the_queue_puts_the_least_certain_unreviewed_calls_first(case: str) -> None:
    everything = run("list", "--case", case, "--json")
    queue = run("list", "--case", case, "--sort", "certainty", "--json")
    scores = [call["certainty"]["certainty"] for call in queue]
    assert scores == sorted(scores) and len(queue) >= 2
    analysed = [c for c in everything if c["status"] == "done" and c["certainty"] is not None]
    assert {c["id"] for c in queue} == {c["id"] for c in analysed}
    first = queue[0]["id"]
    run("verify", "set", str(first), "--status", "verified", "--note", "listened", "--case", case)
    after = run("list", "--case", case, "--sort", "certainty", "--json")
    assert first not in {c["id"] for c in after}  # settled calls leave the queue
    assert "unsure" in run("list", "--case", case, "--sort", "certainty").output
    run("list", "--case", case, "--sort", "loudness", code=2)


def test_show_json_says_which_findings_rest_on_unsure_words(case: str) -> None:
    for call in run("list", "--case", case, "--json"):
        if call["status"] != "done":
            continue
        shown = run("show", str(call["id"]), "--case", case, "--json")
        for finding in [*shown["entities"], *shown["flags"]]:
            assert "confidence" in finding
            assert finding["low_confidence"] == is_low(finding["confidence"])

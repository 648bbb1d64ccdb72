"""``callsift search``: pages with ``--offset``, the total in the JSON, and filters alone."""

from __future__ import annotations

from callsift.cli import app

from .conftest import run, runner


def test_search_pages_and_lists_the_calls_a_filter_picks(case: str) -> None:
    whole = run("search", "мы", "--case", case, "--limit", "500", "--facets", "--json")
    page = run("search", "мы", "--case", case, "--limit", "3", "--offset", "3", "--json")
    assert [h["segment_id"] for h in page] == [h["segment_id"] for h in whole["hits"][3:6]]
    told = runner.invoke(app, ["search", "мы", "--case", case, "--limit", "3", "--json"])
    assert f"3 of {whole['total']} shown; the next page: --offset 3" in told.stderr
    paged = run("search", "мы", "--case", case, "--limit", "3", "--facets", "--json")
    assert (paged["total"], paged["offset"], paged["limit"]) == (whole["total"], 0, 3)
    alone = run("search", "--flag", "orders", "--case", case, "--facets", "--json")
    assert alone["by_call"] and [h["call_id"] for h in alone["hits"]] == [5, 7, 24]
    assert "3 calls" in run("search", "--flag", "orders", "--case", case).output
    assert "give words, or a filter" in run("search", "--case", case, code=1).output

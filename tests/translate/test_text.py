"""Text back ends against a LibreTranslate-compatible server on loopback."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from callsift.records import AudioInfo, ChannelTranscript, Segment
from callsift.store import CaseStore, segments_of
from callsift.translate import (
    ArgosTranslator,
    LibreTranslateTranslator,
    TranslateError,
    translate_case,
)

DICTIONARY = {"Мама, мы в Буче.": "Mom, we are in Bucha.", "Ми в Бучі.": "We are in Bucha."}


class _Handler(BaseHTTPRequestHandler):
    """Speaks LibreTranslate's POST /translate with a batch of texts."""

    seen: list[dict[str, object]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append(body)
        if self.path != "/translate" or body.get("target") != "en":
            self.send_error(400)
            return
        answer = {"translatedText": [DICTIONARY.get(q, "?") for q in body["q"]]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_libretranslate_client_sends_a_batch_and_reads_it_back(server: str) -> None:
    _Handler.seen = []
    translator = LibreTranslateTranslator(server)
    assert translator.translate(["Мама, мы в Буче.", "Ми в Бучі."], "ru") == [
        "Mom, we are in Bucha.",
        "We are in Bucha.",
    ]
    assert _Handler.seen == [
        {"q": ["Мама, мы в Буче.", "Ми в Бучі."], "source": "ru", "target": "en", "format": "text"}
    ]


def test_an_unreachable_server_is_a_clear_error() -> None:
    translator = LibreTranslateTranslator("http://127.0.0.1:9", timeout_s=2)
    with pytest.raises(TranslateError, match="LibreTranslate at http://127.0.0.1:9 failed"):
        translator.translate(["x"], "ru")


def test_translate_case_stores_engine_and_skips_english(case: CaseStore, server: str) -> None:
    for number, (text, lang) in enumerate(
        [("Мама, мы в Буче.", "ru"), ("Ми в Бучі.", "uk"), ("Hello mum.", "en")]
    ):
        sha, size, _ = case.originals.put(io.BytesIO(text.encode()))
        call_id, _, _ = case.add_call(sha, f"{number}.wav", f"/{number}.wav", size)
        case.save_transcript(
            call_id,
            AudioInfo(2.0, 8000, 1, "pcm_s16le", "wav"),
            [ChannelTranscript(0, lang, 0.9, 1.0, [Segment(0, 0.0, 1.0, text, lang)])],
            "{}",
        )
    translator = LibreTranslateTranslator(server)
    assert translate_case(case, translator) == 3
    assert [segments_of(case, n)[0].translation for n in (1, 2, 3)] == [
        "Mom, we are in Bucha.",
        "We are in Bucha.",
        "Hello mum.",
    ]
    assert translate_case(case, translator) == 0  # already done by this engine
    assert [e["action"] for e in case.custody()].count("translate") == 3


def test_argos_without_its_packages_says_what_to_install() -> None:
    """Argos Translate's ru→en models cannot be fetched offline; the error must say so."""
    try:
        translator = ArgosTranslator()
    except TranslateError as error:
        assert "argos-translate is not installed" in str(error)
        return
    with pytest.raises(TranslateError, match="no Argos Translate ru→en package"):
        translator.translate(["Мама, мы в Буче."], "ru")

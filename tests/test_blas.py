"""A product inside ``one_blas_thread`` is the same bits whatever the machine's BLAS threads.

Outside it, OpenBLAS's pinned Haswell kernels give other bits for a 300 x 256
by 256 x 300 product at four threads than at one; the voice similarities and
the speaker split are such products. The tests hold under
``CALLSIFT_REPRODUCIBLE=1`` and ``=0``.
"""

from __future__ import annotations

import threading

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from callsift.blas import one_blas_thread
from callsift.graph.voices.cluster import VoiceChannel
from callsift.graph.voices.run import VoiceOptions, _cluster


def _prints(count: int) -> np.ndarray:
    rows = np.random.default_rng(7).standard_normal((count, 256)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _product_at(threads: int, prints: np.ndarray) -> bytes:
    with threadpool_limits(threads, user_api="blas"), one_blas_thread():
        return (prints @ prints.T).tobytes()


def test_a_product_is_the_same_bits_at_one_two_or_four_threads() -> None:
    prints = _prints(300)
    assert len({_product_at(threads, prints) for threads in (1, 2, 4)}) == 1


def test_the_limit_is_restored_and_nests() -> None:
    def blas_threads() -> set[int]:  # numpy's own OpenBLAS, which computes the products
        pools = [p for p in threadpool_info() if p["user_api"] == "blas"]
        return {p["num_threads"] for p in pools if "numpy" in p["filepath"]}

    with threadpool_limits(2, user_api="blas"):
        with one_blas_thread():
            with one_blas_thread():
                assert blas_threads() == {1}
            assert blas_threads() == {1}
        assert blas_threads() == {2}


def test_two_threads_of_one_process_take_turns() -> None:
    prints = _prints(300)
    alone = _product_at(4, prints)
    results: list[bytes] = []

    def run() -> None:
        for _ in range(5):
            results.append(_product_at(4, prints))

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results == [alone] * 10


def test_voice_similarities_are_the_same_bits_at_one_or_four_threads() -> None:
    prints = _prints(300)
    kept = [
        (VoiceChannel(call_id=i, file=f"call_{i}.wav", channel=0, speech_s=30.0, mixed=False), p)
        for i, p in enumerate(prints)
    ]
    runs = []
    for threads in (1, 4):
        with threadpool_limits(threads, user_api="blas"):
            runs.append(_cluster(kept, VoiceOptions())[2].tobytes())
    assert runs[0] == runs[1]

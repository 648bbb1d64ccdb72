"""One BLAS thread for the products whose results are kept.

OpenBLAS splits a matrix product among its threads in ways that change how
the sums round. The pinned Haswell kernels gave other bits at one thread than
at two or four for a 300 x 256 by 256 x 300 product, in float32 and in
float64 alike. The same code would then hear other words on a one-core machine
(the log-mel features, ``transcribe.whisper.OneThreadFeatures``), or find
other voice similarities on a machine of another size (``graph.voices``).
Held to one thread, a product is the same bits on any number of cores.

OpenBLAS has one thread count per process, so the lock keeps two threads of
one process (a Dask worker of several threads) from restoring each other's
count while a product runs. Other BLAS work running meanwhile in the process
is slowed for those moments, not changed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]

_ONE_THREAD = threading.RLock()  # a block inside another one's keeps its limit


@cache
def _controller() -> ThreadpoolController:
    """The process's thread pools, found once (about 5 ms: it walks the loaded libraries)."""
    return ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block's BLAS and LAPACK calls on one thread (the limit itself costs ~11 us)."""
    with _ONE_THREAD, _controller().limit(limits=1, user_api="blas"):
        yield

"""A real Dask cluster on loopback: ``dask scheduler`` and two ``dask worker`` processes.

Each runs in its own session, so a test can ``kill -9`` a whole worker (its
nanny and the worker process the nanny started) and the teardown can kill
whatever is left, even after a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DASK = str(Path(sys.executable).with_name("dask"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A scheduler's address and its worker processes by worker address."""

    address: str
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [DASK, *args], stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        log.close()
        self.processes.append(process)
        return process

    def add_worker(self, *, pinned: bool = True, env: dict[str, str] | None = None) -> str:
        """A worker as the README starts it: one thread, pinned by ``--preload-nanny``.

        Left at Dask's cap of one BLAS thread, where the local pool that made
        the reference transcripts has one per core: the features do not
        depend on the count (``transcribe.whisper.OneThreadFeatures``).
        """
        port = free_port()
        address = f"tcp://127.0.0.1:{port}"
        preload = ["--preload-nanny", "callsift"] if pinned else []
        self.workers[address] = self.start(
            "worker", self.address, "--nthreads", "1", *preload,
            "--host", "127.0.0.1", "--worker-port", str(port), "--no-dashboard",
            "--local-directory", str(self.logs),
            env=env,
        )  # fmt: skip
        return address

    def kill(self, address: str) -> None:
        """``kill -9`` of a whole worker: the nanny and its worker process."""
        process = self.workers.pop(address)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=120)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("dask")
    port = free_port()
    cluster = Cluster(f"tcp://127.0.0.1:{port}", logs)
    try:
        cluster.start(
            "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"
        )  # fmt: skip
        for _ in range(2):
            cluster.add_worker()
        cluster.wait_for_workers(2)
        yield cluster
    finally:
        for process in cluster.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

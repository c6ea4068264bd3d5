"""pytest plugin of ``shareopt bench --time-limit``: stop the suite at a deadline and still
write the JSON of every benchmark that finished.

A Ctrl-C would not do: pytest-benchmark fails to save when the benchmark it interrupts has
no rounds yet. Instead the benchmark running at the deadline gets an exception (SIGALRM, so
it fails like any test and saves nothing), and the session stops after it.
The deadline is ``SHAREOPT_BENCH_DEADLINE`` (seconds since the epoch).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

REASON = "shareopt bench: time limit reached"


class BenchTimeLimit(Exception):
    """Raised in the benchmark that is running when the time limit is reached."""


def _deadline() -> float | None:
    value = os.environ.get("SHAREOPT_BENCH_DEADLINE")
    return float(value) if value else None


def _interrupt(signum, frame):
    raise BenchTimeLimit(REASON)


def pytest_configure(config):
    deadline = _deadline()
    if deadline is not None and hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _interrupt)
        signal.setitimer(signal.ITIMER_REAL, max(deadline - time.time(), 0.01))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    yield
    deadline = _deadline()
    if deadline is not None and time.time() >= deadline:
        item.session.shouldstop = REASON


def pytest_unconfigure(config):
    if _deadline() is not None and hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)

"""pytest plugin of ``shareopt bench --time-limit``: stop the suite at a deadline and still
write the JSON of every benchmark that finished.

A Ctrl-C would not do: pytest-benchmark fails to save when the benchmark it interrupts has
no rounds yet. Instead the timer runs only while a test body runs: at the deadline that test
gets an exception (so it fails like any test and saves nothing), and the session stops after
it. Past the deadline, no further test starts; collection, fixtures and the final save are
never interrupted. The deadline is ``SHAREOPT_BENCH_DEADLINE`` (seconds since the epoch).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

REASON = "shareopt bench: time limit reached"


class BenchTimeLimit(Exception):
    """Raised in the test body running at the time limit. An Exception, not a BaseException:
    pytest-benchmark marks a benchmark that raised an Exception as failed and leaves it out of
    the JSON; past a BaseException it would try to save empty stats and fail to save at all."""


def _deadline() -> float | None:
    value = os.environ.get("SHAREOPT_BENCH_DEADLINE")
    return float(value) if value else None


def _interrupt(signum, frame):
    raise BenchTimeLimit(REASON)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    deadline = _deadline()
    if deadline is None or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.time(), 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    yield
    deadline = _deadline()
    if deadline is not None and time.time() >= deadline:
        item.session.shouldstop = REASON  # pytest stops before the next test

"""Making ``highspy.Highs`` objects without HiGHS writing to stdout.

highspy 1.16 prints its banner to stdout when a process makes its first ``Highs``, before any
option can be set; that broke ``--json`` output. The first one is made with the process's
stdout muted (Python's and C's buffers flushed around it).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

import highspy

_lock = threading.Lock()
_banner_shown = False


def _flush_c_stdout() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to load by name (Windows)
        pass


def new_highs() -> highspy.Highs:
    """A fresh ``highspy.Highs``; the process's first is made with stdout muted."""
    global _banner_shown
    with _lock:
        if _banner_shown:
            return highspy.Highs()
        _banner_shown = True
        sys.stdout.flush()
        _flush_c_stdout()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highs = highspy.Highs()
                sys.stdout.flush()
                _flush_c_stdout()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        return highs

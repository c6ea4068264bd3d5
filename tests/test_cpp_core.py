"""Build the C++ core alone, with AddressSanitizer and UBSan, and run its own tests.

The core must stand without Python and never read out of bounds; the sanitizers turn any such
slip into a failure. Needs cmake and a C++ compiler (the test extra installs cmake and ninja).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="sanitizer build is set up for Linux")
def test_core_under_sanitizers(tmp_path):
    cmake = shutil.which("cmake")
    assert cmake, "cmake not found: pip install '.[test]' installs it"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    configure = [cmake, "-S", str(ROOT), "-B", str(tmp_path), *generator,
                 "-DCMAKE_BUILD_TYPE=Debug", "-DSHAREOPT_SANITIZE=ON",
                 "-DSHAREOPT_BUILD_TESTS=ON", "-DSHAREOPT_BUILD_PYTHON=OFF"]
    for step in (configure, [cmake, "--build", str(tmp_path), "--parallel", "2"]):
        done = subprocess.run(step, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run = subprocess.run([str(tmp_path / "shareopt_core_tests")], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all C++ core checks passed" in run.stdout
    # A service embedding the dispatcher from C++ alone: header and static library only.
    example = subprocess.run([str(tmp_path / "shareopt_dispatch_example")], capture_output=True,
                             text=True, cwd=ROOT)
    assert example.returncode == 0, example.stdout + example.stderr
    assert "restored dispatcher decides identically" in example.stdout
    assert re.search(r"needs a new vehicle +accepted +vehicle +2", example.stdout)

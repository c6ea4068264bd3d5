"""Turn a pytest-benchmark JSON file into the RESULTS.md table and the figures.

    python -m pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json        # prints the markdown

The same as ``shareopt bench --from-json bench.json --out -``; the code is shareopt.bench.
"""

from __future__ import annotations

import sys

from shareopt.bench import results_section

if __name__ == "__main__":
    print(results_section(sys.argv[1] if len(sys.argv) > 1 else "bench.json"))

"""Turn a pytest-benchmark JSON file into the RESULTS.md table: medians and ratios to peers.

    python -m pytest benchmarks --benchmark-json=bench.json
    python benchmarks/report.py bench.json

In each group the first ``test_ours_*`` benchmark is the reference; every row shows its
median and ``ratio`` = that row's median over ours (above 1: we are faster).
"""

from __future__ import annotations

import json
import sys


def table(path: str) -> str:
    with open(path) as handle:
        data = json.load(handle)
    machine = data["machine_info"]
    cpu = machine.get("cpu", {}).get("brand_raw", machine.get("processor", "?"))
    lines = [f"Machine: {cpu}, {machine.get('cpu', {}).get('count', '?')} logical cores, "
             f"Python {machine['python_version']}; {data['datetime'][:10]}",
             "", "| group | benchmark | median (ms) | rounds | peer / ours |", "|---|---|---:|---:|---:|"]
    groups: dict[str, list[dict]] = {}
    for bench in data["benchmarks"]:
        groups.setdefault(bench["group"] or "", []).append(bench)
    for group, benches in groups.items():
        ours = next((b for b in benches if b["name"].startswith("test_ours")), benches[0])
        reference = ours["stats"]["median"]
        for bench in sorted(benches, key=lambda b: b["stats"]["median"]):
            median = bench["stats"]["median"]
            lines.append(f"| {group} | {bench['name'].removeprefix('test_')} | {median * 1e3:.2f} "
                         f"| {bench['stats']['rounds']} | {median / reference:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(sys.argv[1] if len(sys.argv) > 1 else "bench.json"))

"""The example scripts run and say what they promise (small sizes only)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_seed001_phase_one_small(shared_data):
    data = shared_data / "nyc" / "yellow_tripdata_2021-01-01_head.csv"
    run = subprocess.run([sys.executable, str(EXAMPLES / "seed001_phase_one.py"), "--data", str(data),
                          "--sizes", "10,40", "--large", "", "--instances", "3", "--json"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert [row["orders"] for row in result["rows"]] == [10, 40]
    for row in result["rows"]:
        assert row["data"] == "real" and row["certified"] == row["instances"] == 3
        assert row["max_objective_gap"] <= 1e-6 and 0 < row["served_share"] <= 1


def test_seed001_phase_two_quick(shared_data):
    data = shared_data / "nyc" / "yellow_tripdata_2021-01-01_head.csv"
    run = subprocess.run([sys.executable, str(EXAMPLES / "seed001_phase_two.py"), "--data", str(data),
                          "--quick", "--instances", "2", "--json"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert [(r["reserved"], r["realtime"]) for r in result["rows"]][:2] == [(10, 10), (20, 20)]
    for row in result["rows"]:
        # No plan beats the offline optimum over all the orders.
        for key in ("greedy_gap_pct", "greedy_online_gap_pct", "bidprice_gap_pct", "reoptimize_gap_pct",
                    "reoptimize_bidprice_gap_pct"):
            assert row[key] >= -1e-6


def test_nyc_scale_dispatch_small():
    run = subprocess.run([sys.executable, str(EXAMPLES / "nyc_scale_dispatch.py"), "--n", "4000",
                          "--reserved", "1000", "--every", "60", "--horizon", "120", "--offline", "--json"],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["reserved"] == 1000 and result["realtime"] == 3000
    assert result["phase_one"]["certified"] and result["offline"]["certified"]
    assert [row["strategy"] for row in result["rows"]] == ["greedy", "bidprice", "reoptimize",
                                                          "reoptimize-bidprice"]
    for row in result["rows"]:
        # Certified offline: its plan is the optimum, its bound the same, and no online plan beats it.
        assert row["gap_to_offline_pct"] >= -1e-9
        assert abs(row["gap_to_bound_pct"] - row["gap_to_offline_pct"]) < 1e-6
        assert row["vehicles"] > 0 and (row["reoptimizations"] > 0) == row["strategy"].startswith("reoptimize")

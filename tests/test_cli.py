"""The shareopt command: subcommands, --json, and exit code 2 with one line on bad input."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import numpy as np
import pytest

import shareopt as so
from shareopt.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_synth_then_load(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    code, out, err = run(capsys, "synth", "orders", "--n", "500", "--seed", "4", "--out", str(path))
    assert code == 0 and "wrote 500 orders" in out
    code, out, _ = run(capsys, "load", str(path), "--json")
    report = json.loads(out)
    assert code == 0 and report["orders"] == 500
    assert report["load_report"]["format"] == "canonical"
    loaded = so.read_orders(path)
    assert np.allclose(loaded.revenue, so.synthetic_orders(500, seed=4).revenue)


def test_synth_stations_json(tmp_path, capsys):
    code, out, _ = run(capsys, "synth", "stations", "--n", "30", "--out", str(tmp_path / "s.csv"),
                       "--json")
    assert code == 0 and json.loads(out)["stations"] == 30


def test_load_prints_the_report(data_dir, capsys):
    code, out, _ = run(capsys, "load", str(data_dir / "yellow_tripdata_2021-01-01_1500.csv"))
    assert code == 0
    assert "read 1,500 rows" in out and "unknown_zone" in out and "line 36" in out


def test_load_json_is_only_json(data_dir, capsys):
    code, out, err = run(capsys, "load", str(data_dir / "yellow_tripdata_2013-01_sample.csv"),
                         "--json")
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert summary["load_report"]["dropped_by_reason"]["bad_coordinates"] == 21


@pytest.mark.parametrize("argv, message", [
    (["load", "/no/such/file.csv"], "no such file"),
    (["load", "{data}/debs_2013-01_sample.csv", "--format", "excel"], "unknown orders format"),
    (["load", "{data}/yellow_tripdata_2013-01_sample.csv", "--strict"], "line 63"),
    (["synth", "orders", "--n", "0", "--out", "x.csv"], "positive integer"),
    (["synth", "orders", "--n", "ten", "--out", "x.csv"], "invalid int value"),
    (["synth"], "orders, stations or charging"),
    (["frobnicate"], "invalid choice"),
    (["load", "{tmp}/broken.csv.gz"], "broken gzip"),
    (["load", "{tmp}/stations.json"], "not a list of station objects"),
    (["load", "{data}/divvy_stations_2017.csv", "--date", "2021-01-01"], "apply to orders"),
    (["load", "{data}/yellow_tripdata_2021-01-01_1500.csv", "--date", "2021-99-99"], "not a date"),
])
def test_bad_input_exits_2_with_one_line(data_dir, tmp_path, capsys, argv, message):
    whole = gzip.compress((data_dir / "yellow_tripdata_2021-01-01_1500.csv").read_bytes())
    (tmp_path / "broken.csv.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "stations.json").write_text('{"data": {"stations": [1, 2]}}')
    argv = [a.replace("{data}", str(data_dir)).replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2 and message in json.loads(out)["error"]


def test_demo_json(capsys):
    code, out, _ = run(capsys, "demo", "--json")
    result = json.loads(out)
    assert code == 0
    assert set(result["steps"]) >= {"orders", "travel", "stations", "rebalance"}
    assert result["steps"]["rebalance"]["certified"] and result["steps"]["rebalance"]["feasible"]
    assert result["steps"]["orders"]["csv_roundtrip_rows"] == result["steps"]["orders"]["orders"]


def test_console_script_and_module(tmp_path):
    for command in (["shareopt", "--help"], [sys.executable, "-m", "shareopt", "--help"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "synth" in done.stdout and "examples" in done.stdout
    done = subprocess.run(["shareopt", "demo"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "orders" in done.stdout and "travel" in done.stdout


def test_load_every_file_of_the_shared_nyc_data(shared_data, capsys):
    """`shareopt load` with format auto: trip files report drop reasons, zone files load."""
    files = sorted((shared_data / "nyc").glob("*.csv"))
    assert len(files) == 4
    for path in files:
        code, out, err = run(capsys, "load", str(path), "--json")
        assert code == 0, err
        summary = json.loads(out)
        if path.name.startswith("yellow_tripdata"):
            assert summary["load_report"]["dropped_by_reason"]
        else:
            assert summary["zones"] in (263, 265)


def test_chain_json_and_chains_csv(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    so.synthetic_orders(800, seed=2).to_csv(path)
    out_csv = tmp_path / "chains.csv"
    args = ["chain", str(path), "--vehicle-cost", "5", "--deadhead-cost-per-km", "0.5",
            "--max-idle", "1200", "--out", str(out_csv), "--json"]
    code, out, _ = run(capsys, *args)
    result = json.loads(out)
    assert code == 0
    for key in ("objective", "vehicles", "served", "lost", "orders", "certified",
                "arcs_in_model", "arcs_priced", "rounds", "time_s"):
        assert key in result
    assert result["orders"] == 800 and result["certified"] is True
    assert result["lower_bound"] == pytest.approx(result["objective"]) and result["gap_pct"] == 0.0
    assert result["served"] + result["lost"] == 800
    rows = out_csv.read_text().splitlines()
    assert rows[0] == "vehicle,position,order_id" and len(rows) == result["served"] + 1
    assert len({r.split(",")[0] for r in rows[1:]}) == result["vehicles"]
    code, out, _ = run(capsys, *args[:-3], "--method", "highs", "--json")
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(result["objective"], abs=1e-6)
    # Started from that plan, with a dearer vehicle: the same as a cold solve of that model.
    dearer = [a if a != "5" else "7" for a in args[:-3]]
    warm_code, warm, _ = run(capsys, *dearer, "--start", str(out_csv), "--json")
    cold_code, cold, _ = run(capsys, *dearer, "--json")
    assert warm_code == cold_code == 0 and json.loads(warm)["certified"]
    assert json.loads(warm)["objective"] == pytest.approx(json.loads(cold)["objective"], abs=1e-6)
    # A plan naming orders the file does not have is refused, naming the lines.
    bad = tmp_path / "bad.csv"
    bad.write_text("vehicle,position,order_id\n0,0,1\n0,1,999999\n")
    code, _, err = run(capsys, *dearer, "--start", str(bad))
    assert code == 2 and "1 order ids not among the orders (lines 3)" in err


def test_chain_errors_are_one_line(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    so.synthetic_orders(200, seed=2).to_csv(path)
    code, out, err = run(capsys, "chain", str(path), "--vehicle-cost", "5", "--max-vehicles", "1",
                         "--must-serve", "--json")
    assert code == 2 and "max_vehicles=1" in json.loads(out)["error"]
    code, _, err = run(capsys, "chain", str(path), "--depot", "1;2")
    assert code == 2 and "X,Y" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "chain", str(path), "--vehicle-cost", "-1")
    assert code == 2 and "vehicle_cost" in err


def test_dispatch_json_compares_with_the_offline_optimum(tmp_path, capsys):
    reserved, realtime = tmp_path / "reserved.csv", tmp_path / "realtime.csv"
    so.synthetic_orders(300, seed=1).to_csv(reserved)
    so.synthetic_orders(300, seed=2).to_csv(realtime)
    base = ["dispatch", "--reserved", str(reserved), "--realtime", str(realtime),
            "--vehicle-cost", "20", "--deadhead-cost-per-km", "0.5", "--max-idle", "1800",
            "--accept", "always", "--compare-offline", "--json"]
    results = {}
    for strategy in ("greedy", "bidprice", "reoptimize", "reoptimize-bidprice"):
        code, out, err = run(capsys, *base, "--strategy", strategy)
        assert code == 0, err
        result = json.loads(out)
        for key in ("offers", "accepted", "rejected", "vehicles", "objective", "latency_p50_us",
                    "latency_p99_us", "offline_objective", "gap_pct"):
            assert key in result
        assert result["offers"] == 300 and result["accepted"] + result["rejected"] == 300
        assert result["gap_pct"] >= -1e-6  # no plan beats the offline optimum
        assert result["strategy"] == strategy and (result["bid_price_weight"] > 0) == ("bidprice" in strategy)
        results[strategy] = result
    assert results["reoptimize"]["objective"] <= results["greedy"]["objective"] + 1e-6
    assert results["bidprice"]["objective"] != results["greedy"]["objective"]  # the prices act
    code, out, err = run(capsys, *base, "--strategy", "reoptimize", "--horizon", "60")
    assert code == 0, err
    windowed = json.loads(out)
    assert windowed["gap_pct"] >= -1e-6 and windowed["reoptimization_saving"] >= -1e-6
    code, out, err = run(capsys, "dispatch", "--reserved", str(reserved), "--realtime",
                         str(tmp_path / "missing.csv"), "--json")
    assert code == 2 and "error" in json.loads(out)


def test_rebalance_json_and_moves_csv(tmp_path, capsys):
    run(capsys, "synth", "stations", "--n", "200", "--seed", "4", "--out", str(tmp_path / "st.csv"))
    code, out, _ = run(capsys, "rebalance", str(tmp_path / "st.csv"), "--alpha", "0.1", "--json",
                    "--out", str(tmp_path / "moves.csv"))
    assert code == 0
    result = json.loads(out)
    for key in ("stations", "epsilon", "feasible", "bikes_moved", "cost", "min_feasible_alpha", "time_s"):
        assert key in result
    assert result["stations"] == 200 and result["feasible"] is True and result["certified"] is True
    lines = (tmp_path / "moves.csv").read_text().splitlines()
    assert lines[0] == "from_id,to_id,bikes,distance_km,cost" and len(lines) == result["transfers"] + 1
    assert sum(int(line.split(",")[2]) for line in lines[1:]) == result["bikes_moved"]


def test_rebalance_without_a_plan_exits_1_with_the_answer(tmp_path, capsys):
    path = tmp_path / "st.csv"
    path.write_text("station_id,x,y,capacity,bikes\na,0,0,10,10\nb,1,0,10,0\nc,2,0,10,5\n")
    code, out, _ = run(capsys, "rebalance", str(path), "--alpha", "0.1", "--max-bikes-moved", "2", "--json")
    result = json.loads(out)
    assert code == 1 and result["feasible"] is False
    assert result["min_feasible_alpha"] == pytest.approx(0.3)
    assert sorted(result["infeasible_stations"]) == ["a", "b"]
    code, out, err = run(capsys, "rebalance", str(path), "--alpha", "-1")
    assert code == 2 and out == "" and "alpha" in err and len(err.splitlines()) == 1


def test_synth_charging_then_ports(tmp_path, capsys):
    folder = tmp_path / "net"
    code, out, _ = run(capsys, "synth", "charging", "--stations", "30", "--cars", "400", "--days", "2",
                       "--seed", "3", "--out", str(folder), "--json")
    made = json.loads(out)
    assert code == 0 and made["stations"] == 30
    assert sorted(p.name for p in folder.iterdir()) == ["car_queue.csv", "charge_status.csv", "park_queue.csv",
                                                         "stations.csv", "trips.csv"]
    code, out, _ = run(capsys, "ports", str(folder), "--budget", "40000", "--weights", "2,1", "--json",
                       "--out", str(tmp_path / "ports.csv"), "--frontier")
    result = json.loads(out)
    assert code == 0
    for key in ("stations", "budget", "cost", "ports_added", "baseline_failures", "predicted_failures",
                "resimulated_failures", "mip_gap", "time_s"):
        assert key in result
    assert result["cost"] <= 40000 and result["resimulated_failures"] == result["predicted_failures"]
    assert result["baseline_failures"]["car"] == made["recorded_car_failures"]
    assert result["baseline_failures"]["park"] == made["recorded_park_failures"]
    lines = (tmp_path / "ports.csv").read_text().splitlines()
    assert lines[0] == "station_id,ports,added" and len(lines) == 31
    assert sum(int(line.split(",")[2]) for line in lines[1:]) == result["ports_added"]
    assert result["frontier"]["exact"] is True


@pytest.mark.parametrize("argv, message", [
    (["ports", "{tmp}", "--budget", "10"], "lacks the table(s) stations, car_queue, park_queue"),
    (["ports", "{tmp}/nowhere", "--budget", "10"], "not a folder"),
    (["ports", "{tmp}", "--budget", "10", "--weights", "1"], "w_car,w_park"),
])
def test_ports_bad_input_exits_2(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and len(err.splitlines()) == 1


def test_hexfleet_json(shared_data, tmp_path, capsys):
    trips = shared_data / "nyc" / "yellow_tripdata_2021-01-01_head.csv"
    code, out, _ = run(capsys, "hexfleet", str(trips), "--date", "2021-01-01", "--resolution", "7", "--periods", "4",
                       "--scenarios", "4", "--test-scenarios", "20", "--fleet", "200", "--json",
                       "--car-driven", "--out", str(tmp_path / "plan.csv"))
    result = json.loads(out)
    assert code == 0
    for key in ("cells", "periods", "scenarios", "fleet", "expected_profit", "baseline_profit", "improvement_pct",
                "ci_low", "ci_high", "served_share", "time_s"):
        assert key in result
    assert result["fleet"] == 200 and result["periods"] == 4 and result["proven"] is True
    assert result["car_driven_profit"] != result["car_driven_baseline_profit"]  # two plans, two simulations
    lines = (tmp_path / "plan.csv").read_text().splitlines()
    assert lines[0] == "cell,lon,lat,cars,baseline" and len(lines) == result["cells"] + 1
    assert sum(int(line.split(",")[3]) for line in lines[1:]) == 200
    code, out, err = run(capsys, "hexfleet", str(trips), "--fleet", "0")
    assert code == 2 and "fleet" in err and len(err.splitlines()) == 1

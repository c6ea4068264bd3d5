"""The relay commands: synth relay, relay --json, outputs, and exit code 2 with one line on bad input."""

from __future__ import annotations

import csv
import json

import pytest
from shareopt.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path, capsys):
    path = tmp_path / "relay"
    code, out, _ = run(capsys, "synth", "relay", "--locations", 30, "--scooters", 12,  # square places: the default
                       "--commutes", 40, "--seed", 3, "--out", path, "--json")
    made = json.loads(out)
    assert code == 0 and made["locations"] == 30 and made["scooters"] == 12 and made["commutes"] == 40
    assert sorted(p.name for p in path.iterdir()) == ["commutes.csv", "locations.csv", "scooters.csv"]
    return path


def test_synth_then_relay_json_and_files(folder, tmp_path, capsys):
    moves, commutes = tmp_path / "moves.csv", tmp_path / "commutes.csv"
    code, out, err = run(capsys, "relay", folder, "--time-limit", 30, "--json", "--out", moves,
                         "--commutes-out", commutes)
    result = json.loads(out)
    assert code == 0 and err == ""
    for key in ("locations", "scooters", "commutes", "served_demand", "total_demand", "scooters_used", "mip_gap",
                "time_s", "bound", "proven", "greedy_demand", "greedy_status", "tie_break", "arcs_kept",
                "arcs_unpruned"):
        assert key in result
    assert set(result["timings_s"]) >= {"network", "greedy", "model", "rounding", "tie_break"}
    assert result["locations"] == 30 and result["commutes"] == 40
    assert 0 <= result["served_demand"] <= result["bound"] <= result["total_demand"]
    with open(moves) as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["scooter", "location", "range_km", "home", "moved"] and len(rows) == 12
    assert sum(1 for r in rows if r["location"]) == result["scooters_used"]
    with open(commutes) as handle:
        served = [r for r in csv.DictReader(handle) if r["served"] == "True"]
    assert len(served) == result["served_commutes"]
    assert all(r["path"].split(">")[0] == r["origin"] for r in served)


def test_relay_text_and_plot(folder, tmp_path, capsys):
    picture = tmp_path / "relay.png"
    code, out, _ = run(capsys, "relay", folder, "--swap-time-s", 30, "--capacity", 20, "--plot", picture)
    assert code == 0 and "commutes" in out and "demand" in out and "not proven" not in out
    assert "tie-break (fewest moved) " in out and "status " in out
    assert picture.stat().st_size > 0


def test_relay_help_teaches(capsys):
    with pytest.raises(SystemExit):
        main(["relay", "--help"])
    text = capsys.readouterr().out
    for words in ("locations.csv", "scooters.csv", "commutes.csv", "budget", "shareopt synth relay", "--swap-time-s"):
        assert words in text


def _short_budget(folder):
    """Cut the first commute's budget to a second: below any direct time."""
    path = folder / "commutes.csv"
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[-1] = "1.0"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("argv, message", [
    (["relay", "{tmp}/nowhere"], "not a folder"),
    (["relay", "{folder}", "--capacity", "-1"], "capacity must be"),
    (["relay", "{folder}", "--metric", "haversine"], "haversine"),
    (["relay", "{short}"], "line 2"),
    (["synth", "relay", "--out", "{tmp}/x", "--commutes", "100000"], "location pairs"),
    (["synth", "relay", "--out", "{tmp}/x", "--scooters", "0"], "scooters must be"),
])
def test_bad_input_exits_2_with_one_line(folder, tmp_path, capsys, argv, message):
    short = tmp_path / "short"
    short.mkdir()
    for name in ("locations.csv", "scooters.csv", "commutes.csv"):
        (short / name).write_text((folder / name).read_text())
    _short_budget(short)
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{folder}", str(folder)).replace("{short}", str(short))
            for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and len(err.splitlines()) == 1
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 2 and message in json.loads(out)["error"]


def test_synth_relay_samples_citibike(shared_data, tmp_path, capsys):
    code, out, _ = run(capsys, "synth", "relay", "--places", "citibike", "--locations", 50, "--scooters", 10,
                       "--commutes", 20, "--out", tmp_path / "cb",
                       "--stations", shared_data / "bike" / "citibike_gbfs_2019-07-05")
    assert code == 0 and "50 locations" in out
    header = (tmp_path / "cb" / "locations.csv").read_text().splitlines()[0]
    assert header == "location_id,lon,lat"

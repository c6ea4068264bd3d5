"""``shareopt bench``: the report from pytest-benchmark JSON, the results file, the figures,
and a real run of a tiny suite (with a time limit that interrupts it)."""

from __future__ import annotations

import json
import textwrap

import pytest
from shareopt.bench import (
    END_MARK,
    START_MARK,
    draw_figures,
    find_suite,
    format_seconds,
    load_results,
    results_section,
    update_results_file,
)
from shareopt.cli import main
from shareopt.exceptions import ShareoptError


def bench_entry(file, name, group, median, size=None, unit="", series=None):
    info = {} if size is None else {"size": size, "unit": unit}
    if series:
        info["series"] = series
    return {"name": name, "fullname": f"benchmarks/{file}::{name}", "group": group,
            "extra_info": info, "stats": {"median": median, "rounds": 3}}


@pytest.fixture
def bench_json(tmp_path):
    benchmarks = [
        bench_entry("test_bench_chaining.py", "test_ours_chains_2k", "chains: 2,000", 0.02, 2000, "orders"),
        bench_entry("test_bench_chaining.py", "test_peer_ortools_2k", "chains: 2,000", 0.05, 2000, "orders",
                    "OR-Tools"),
        bench_entry("test_bench_chaining.py", "test_ours_chains_20k", "chains: 20,000", 0.4, 20000, "orders"),
        bench_entry("test_bench_chaining.py", "test_peer_ortools_20k", "chains: 20,000", 0.9, 20000, "orders",
                    "OR-Tools"),
        bench_entry("test_bench_dispatch.py", "test_ours_offer_latency", "dispatch: one offer", 8e-6),
    ]
    data = {"machine_info": {"cpu": {"brand_raw": "Test CPU", "count": 2}, "system": "Linux",
                             "release": "6", "python_version": "3.11.7"},
            "datetime": "2026-11-22T10:00:00", "benchmarks": benchmarks}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(data))
    return path


def test_rows_and_series(bench_json):
    meta, rows = load_results(bench_json)
    assert meta == {"machine": "Test CPU, 2 logical cores, Linux 6, Python 3.11.7", "date": "2026-11-22",
                    "earlier": []}
    assert [row.problem for row in rows] == ["Trip chains"] * 4 + ["Real-time dispatch"]
    assert [row.series for row in rows] == ["shareopt", "OR-Tools", "shareopt", "OR-Tools", "shareopt"]
    assert rows[2].size == 20000 and rows[4].size is None and rows[0].ours and not rows[1].ours


def test_section_gives_ratios_per_case(bench_json):
    text = results_section(bench_json)
    assert "Machine: Test CPU, 2 logical cores" in text and "2026-11-22" in text
    assert "| chains: 2,000 | 20.0 ms | OR-Tools | 50.0 ms | 2.50 |" in text
    assert "| chains: 20,000 | 400 ms | OR-Tools | 900 ms | 2.25 |" in text
    assert "| dispatch: one offer | 8.00 µs | — | — | — |" in text
    assert text.index("### Trip chains") < text.index("### Real-time dispatch")


@pytest.mark.parametrize("seconds, text", [(3.2e-6, "3.20 µs"), (0.0009996, "1.00 ms"),
                                           (0.9999, "1.00 s"), (100.0, "100 s"), (7200, "120 min")])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_results_file_keeps_the_log_and_replaces_its_block(bench_json, tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\nHow to run.\n\n## 2026-11-21 — log\n\nhand-written\n")
    update_results_file(path, results_section(bench_json))
    update_results_file(path, results_section(bench_json, quick=True))
    text = path.read_text()
    assert text.count(START_MARK) == 1 and text.count(END_MARK) == 1
    assert "(quick suite)" in text and text.count("### Trip chains") == 1
    assert text.index("How to run.") < text.index(START_MARK) < text.index("## 2026-11-21 — log")
    assert text.endswith("## 2026-11-21 — log\n\nhand-written\n")


def test_figures_only_where_a_series_has_two_sizes(bench_json, tmp_path):
    pytest.importorskip("matplotlib")
    written = draw_figures(bench_json, tmp_path / "figures")
    assert [path.name for path in written] == ["trip_chains.png"]
    assert written[0].stat().st_size > 5_000
    section = results_section(bench_json, figures=written, relative_to=tmp_path)
    assert "![Trip chains: time against size](figures/trip_chains.png)" in section


def test_per_call_latency_is_not_divided_by_a_whole_run(tmp_path):
    run_row = bench_entry("test_bench_dispatch.py", "test_ours_offer_many_full_day", "full day", 1.3)
    latency = bench_entry("test_bench_dispatch.py", "test_ours_offer_latency_full_day", "full day", 2.0)
    latency["extra_info"]["p50_us"] = 8.2
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"benchmarks": [run_row, latency], "datetime": "2026-11-22"}))
    assert "| full day | 1.30 s | shareopt | 8.20 µs per call (p50) | — |" in results_section(path)


@pytest.mark.parametrize("content", ['{"benchmarks": [{"name": "test_x"}]}', '{"benchmarks": null}',
                                     '{"benchmarks": [1]}', "not json"])
def test_malformed_json_is_a_one_line_error(tmp_path, capsys, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["bench", "--from-json", str(path), "--out", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shareopt: error:") and len(err.strip().splitlines()) == 1


def test_broken_marks_are_refused_not_mangled(bench_json, tmp_path):
    path = tmp_path / "RESULTS.md"
    original = f"# R\n\n{END_MARK}\nlog\n{START_MARK}\n"
    path.write_text(original)
    with pytest.raises(ShareoptError, match="marks are broken"):
        update_results_file(path, results_section(bench_json))
    assert path.read_text() == original


def test_find_suite_says_where_it_looked(tmp_path):
    with pytest.raises(ShareoptError, match="no benchmark suite"):
        find_suite(tmp_path)


def test_cli_from_json(bench_json, tmp_path, capsys):
    out = tmp_path / "R.md"
    assert main(["bench", "--from-json", str(bench_json), "--out", str(out),
                 "--figures", str(tmp_path / "fig"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["benchmarks"] == 5 and summary["results_file"] == str(out)
    assert START_MARK in out.read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert main(["bench", "--from-json", str(bad), "--out", "-"]) == 2
    assert "not a pytest-benchmark JSON file" in capsys.readouterr().err


TINY_SUITE = textwrap.dedent('''
    import time
    import pytest

    @pytest.mark.quick
    @pytest.mark.benchmark(group="tiny: sums")
    @pytest.mark.parametrize("n", [1000, 100000])
    def test_ours_sum(benchmark, n):
        benchmark.extra_info.update(size=n, unit="numbers")
        assert benchmark.pedantic(sum, args=(range(n),), rounds=3) == n * (n - 1) // 2

    @pytest.mark.quick
    @pytest.mark.benchmark(group="tiny: sums")
    @pytest.mark.parametrize("n", [1000, 100000])
    def test_peer_loop(benchmark, n):
        def loop():
            total = 0
            for value in range(n):
                total += value
            return total
        benchmark.extra_info.update(size=n, unit="numbers", series="a Python loop")
        assert benchmark.pedantic(loop, rounds=3) == n * (n - 1) // 2

    @pytest.mark.benchmark(group="tiny: slow")
    def test_ours_slow(benchmark):
        benchmark.pedantic(time.sleep, args=(60,), rounds=1)
''')


@pytest.fixture
def tiny_suite(tmp_path):
    suite = tmp_path / "benchmarks"
    suite.mkdir()
    (suite / "test_bench_tiny.py").write_text(TINY_SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    quick: quick\n")
    return suite


def test_cli_runs_a_suite_quick(tiny_suite, capsys):
    pytest.importorskip("pytest_benchmark")
    assert main(["bench", "--suite", str(tiny_suite), "--quick", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["benchmarks"] == 4 and not summary["interrupted"]
    assert {row["series"] for row in summary["rows"]} == {"shareopt", "a Python loop"}
    text = (tiny_suite / "RESULTS.md").read_text()
    assert "(quick suite)" in text and "| tiny: sums |" in text
    if summary["figures"]:  # matplotlib installed
        assert (tiny_suite / "figures" / "tiny.png").is_file()


def test_update_merges_a_partial_run(tiny_suite, capsys):
    pytest.importorskip("pytest_benchmark")
    saved = tiny_suite / "all.json"
    assert main(["bench", "--suite", str(tiny_suite), "--quick", "--save-json", str(saved), "--json"]) == 0
    first = json.loads(saved.read_text())
    order = [bench["fullname"] for bench in first["benchmarks"]]
    first["datetime"] = "2026-01-01T00:00:00"  # as if from an earlier day
    saved.write_text(json.dumps(first))
    capsys.readouterr()
    assert main(["bench", "--suite", str(tiny_suite), "-k", "loop", "--quick", "--update", str(saved),
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    merged = json.loads(saved.read_text())
    assert [bench["fullname"] for bench in merged["benchmarks"]] == order  # same rows, same order
    assert summary["benchmarks"] == 4
    dates = {bench["name"]: bench["shareopt_run_date"] for bench in merged["benchmarks"]}
    assert {dates[name] for name in dates if "sum" in name} == {"2026-01-01"}
    assert "2026-01-01" not in {dates[name] for name in dates if "loop" in name}
    loops = [bench for bench in merged["benchmarks"] if "loop" in bench["name"]]
    sums = [bench for bench in merged["benchmarks"] if "sum" in bench["name"]]
    assert all(bench["stats"] != old["stats"] for bench in loops for old in first["benchmarks"]
               if old["fullname"] == bench["fullname"])
    kept = [{key: value for key, value in bench.items() if key != "shareopt_run_date"} for bench in sums]
    assert all(bench in first["benchmarks"] for bench in kept)  # untouched but for their date
    assert "from earlier runs (2026-01-01)" in (tiny_suite / "RESULTS.md").read_text()


def test_relative_json_path_is_from_the_callers_folder(tiny_suite, tmp_path, monkeypatch, capsys):
    pytest.importorskip("pytest_benchmark")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["bench", "--suite", str(tiny_suite), "--quick", "-k", "sum", "--save-json", "saved.json",
                 "--out", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["json"] == str(elsewhere / "saved.json")
    assert (elsewhere / "saved.json").is_file()


def test_cli_time_limit_reports_what_finished(tiny_suite, capsys):
    pytest.importorskip("pytest_benchmark")
    assert main(["bench", "--suite", str(tiny_suite), "--time-limit", "8", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["interrupted"] and summary["benchmarks"] == 4  # the 60 s one was cut

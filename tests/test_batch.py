"""Batches: process pool and Dask runs, errors, checkpoint resume, a worker killed mid-batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from shareopt import synthetic_orders, synthetic_stations
from shareopt.batch import (
    PROBLEMS,
    Task,
    plan_chunks,
    read_checkpoint,
    register_problem,
    run,
)
from shareopt.chaining import solve_trip_chains
from shareopt.cli import main
from shareopt.exceptions import ValidationError
from shareopt.rebalance import rebalance

VEHICLE_COSTS = (0, 60, 150)


def slow_chain(orders, params):
    """A chain task that first sleeps ``params['sleep']`` seconds (for the worker-kill test)."""
    params = dict(params)
    time.sleep(params.pop("sleep"))
    return solve_trip_chains(orders, **params)


register_problem("slow_chain", slow_chain)


def crash_once(orders, params):
    """A worker that dies (a kill, a segfault) the first time: the marker file says it did."""
    marker = params["marker"]
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)
    return solve_trip_chains(orders, vehicle_cost=10.0)


register_problem("crash_once", crash_once)


@pytest.fixture(scope="module")
def days():
    return {f"day{seed}": synthetic_orders(300, seed=seed, places="xy") for seed in (1, 2)}


@pytest.fixture(scope="module")
def sweep(days):
    return [Task("chain", day, {"vehicle_cost": cost, "deadhead_cost_per_km": 2.0})
            for day in days for cost in VEHICLE_COSTS]


@pytest.fixture(scope="module")
def serial_objectives(days, sweep):
    return {task.task_id: solve_trip_chains(days[task.inputs], **task.params).objective
            for task in sweep}


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def checkpoint_lines(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def kill_then_rerun(command: list[str], checkpoint, rows: int, timeout_s: float):
    """Start the batch command, SIGKILL it once the checkpoint has ``rows`` rows, run the same
    command to the end. Returns (killed before it finished, rows recorded at the kill, the
    rerun's JSON summary, the checkpoint's lines)."""

    batch = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and batch.poll() is None:
        if checkpoint.exists() and len(checkpoint.read_text().splitlines()) >= rows:
            break
        time.sleep(0.01)
    killed_mid_batch = batch.poll() is None
    batch.kill()
    batch.wait()
    before = len(read_checkpoint(checkpoint))  # a line torn by the kill is not counted
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return killed_mid_batch, before, json.loads(done.stdout), checkpoint_lines(checkpoint)


def test_process_pool_matches_serial_solves(days, sweep, serial_objectives, tmp_path):
    result = run(sweep, days, checkpoint=tmp_path / "cp.jsonl", progress=False, max_workers=2)
    assert result.ok == len(sweep) == 6 and result.errors == 0 and result.skipped == 0
    for row in result.rows:
        assert row["status"] == "ok" and row["ran"]
        assert row["summary"]["objective"] == round(serial_objectives[row["task_id"]], 6)
        assert result.load(row["task_id"]).objective == serial_objectives[row["task_id"]]
    assert [row["task_id"] for row in result.rows] == [task.task_id for task in sweep]
    frame = result.to_frame()
    assert len(frame) == 6 and "summary.objective" in frame
    assert json.loads(json.dumps(result.to_dict()))["tasks"] == 6


def test_rebalance_tasks_and_results_in_memory():
    stations = {"city": synthetic_stations(80, seed=3, places="xy")}
    tasks = [Task("rebalance", "city", {"alpha": alpha}) for alpha in (0.1, 0.2)]
    result = run(tasks, stations, progress=False, max_workers=1)
    assert result.ok == 2
    for task, row in zip(tasks, result.rows):
        expected = rebalance(stations["city"], task.params["alpha"])
        assert row["summary"]["cost"] == round(expected.cost, 6)
        assert row["result_path"] is None
        assert result.load(task.task_id).cost == expected.cost


def test_failing_task_is_recorded_and_others_finish(days, tmp_path):
    tasks = [Task("chain", "day1", {"vehicle_cost": 10}),
             Task("chain", "day1", {"vehicle_cost": 10, "no_such_keyword": 1}, task_id="bad"),
             Task("chain", "day2", {"vehicle_cost": 10})]
    result = run(tasks, days, checkpoint=tmp_path / "cp.jsonl", progress=False, max_workers=2)
    assert [row["status"] for row in result.rows] == ["ok", "error", "ok"]
    bad = result.rows[1]
    assert "no_such_keyword" in bad["error"] and "Traceback" in bad["traceback"]
    assert bad["result_path"] is None
    assert read_checkpoint(tmp_path / "cp.jsonl")["bad"]["status"] == "error"
    # Errors are skipped on rerun, unless asked to retry them.
    again = run(tasks, days, checkpoint=tmp_path / "cp.jsonl", progress=False)
    assert again.skipped == 3
    retried = run(tasks, days, checkpoint=tmp_path / "cp.jsonl", progress=False,
                  retry_errors=True)
    assert retried.skipped == 2 and [row["ran"] for row in retried.rows] == [False, True, False]


def test_lost_worker_is_not_recorded_and_reruns(days, tmp_path):
    # A process that dies takes no answer with it: the row says "lost", the checkpoint keeps
    # nothing for it, and the next run with the same checkpoint runs it again.
    task = Task("crash_once", "day1", {"marker": str(tmp_path / "crashed")})
    first = run([task], days, checkpoint=tmp_path / "cp.jsonl", progress=False, max_workers=1)
    assert first.rows[0]["status"] == "lost" and "worker failure" in first.rows[0]["error"]
    assert task.task_id not in read_checkpoint(tmp_path / "cp.jsonl")
    second = run([task], days, checkpoint=tmp_path / "cp.jsonl", progress=False, max_workers=1)
    assert second.skipped == 0 and second.rows[0]["status"] == "ok" and second.rows[0]["ran"]
    assert read_checkpoint(tmp_path / "cp.jsonl")[task.task_id]["status"] == "ok"


def test_resume_runs_only_unfinished_tasks(days, sweep, tmp_path):
    checkpoint = tmp_path / "cp.jsonl"
    first, second = sweep[:2], sweep[2:]
    run(first, days, checkpoint=checkpoint, progress=False, max_workers=2)
    assert len(checkpoint_lines(checkpoint)) == 2
    result = run(sweep, days, checkpoint=checkpoint, progress=False, max_workers=2)
    assert result.skipped == 2 and result.ok == len(sweep)
    assert [row["ran"] for row in result.rows] == [False] * 2 + [True] * len(second)
    lines = checkpoint_lines(checkpoint)
    assert sorted(line["task_id"] for line in lines) == sorted(task.task_id for task in sweep)
    assert all(os.path.exists(line["result_path"]) for line in lines)


def test_torn_last_line_is_ignored_and_cut(days, sweep, tmp_path):
    checkpoint = tmp_path / "cp.jsonl"
    run(sweep[:2], days, checkpoint=checkpoint, progress=False, max_workers=1)
    whole = checkpoint.read_text()
    torn_row = json.dumps({"task_id": sweep[2].task_id, "status": "ok", "summary": {}})
    checkpoint.write_text(whole + torn_row[: len(torn_row) // 2])  # killed mid-write
    assert set(read_checkpoint(checkpoint)) == {task.task_id for task in sweep[:2]}
    result = run(sweep[:3], days, checkpoint=checkpoint, progress=False, max_workers=1)
    assert result.skipped == 2 and result.rows[2]["ran"]
    lines = checkpoint_lines(checkpoint)  # every line parses: the torn tail was cut
    assert [line["task_id"] for line in lines] == [task.task_id for task in sweep[:3]]


@pytest.mark.parametrize("tasks, reason", [
    ([Task("chain", "day1", {}), Task("chain", "day1", {})], "duplicate_task_id"),
    ([Task("no_such_problem", "day1", {})], "unknown_problem"),
    ([Task("chain", "day9", {})], "unknown_input"),
    ([Task("chain", "day1", {"depot": object()})], "params_not_json"),
])
def test_bad_batches_fail_before_running(days, tasks, reason, tmp_path):
    with pytest.raises(ValidationError) as info:
        run(tasks, days, checkpoint=tmp_path / "cp.jsonl", progress=False)
    assert info.value.reason == reason
    assert not (tmp_path / "cp.jsonl").exists()


def test_default_task_ids_are_deterministic():
    first = Task("chain", "day1", {"vehicle_cost": 5, "max_idle": 600})
    second = Task("chain", "day1", {"max_idle": 600, "vehicle_cost": 5})
    assert first.task_id == second.task_id
    assert first.task_id != Task("chain", "day2", {"vehicle_cost": 5, "max_idle": 600}).task_id
    assert Task("chain", "day1", {}, task_id="mine").task_id == "mine"
    assert {"chain", "rebalance"} <= set(PROBLEMS)


@pytest.mark.parametrize("slots", [1, 2, 7])
def test_guided_chunks_cover_every_task_once_and_shrink(slots):
    # Interleaved inputs: chunks regroup by (problem, input) and never mix them.
    tasks = [Task("chain" if cost % 3 else "rebalance", f"day{day}", {"vehicle_cost": cost})
             for cost in range(40) for day in range(3)]
    chunks = plan_chunks(tasks, slots)
    flat = [task.task_id for chunk in chunks for task in chunk]
    assert sorted(flat) == sorted(task.task_id for task in tasks)
    assert all(len({(task.problem, task.inputs) for task in chunk}) == 1 for chunk in chunks)
    assert len(chunks) < len(tasks) and len(chunks[-1]) == 1
    remaining = len(tasks)
    for chunk in chunks:  # never more than a quarter of what is left per slot
        assert len(chunk) <= -(-remaining // (4 * slots))
        remaining -= len(chunk)
    assert all(len(chunk) <= 3 for chunk in plan_chunks(tasks, slots, chunk_size=3))
    assert all(len(chunk) == 1 for chunk in plan_chunks(tasks, slots, chunk_size=1))


@pytest.mark.parametrize("chunk_size", [0, -2, 1.5, True])
def test_bad_chunk_size_is_refused(days, chunk_size):
    with pytest.raises(ValidationError) as info:
        run([Task("chain", "day1", {})], days, progress=False, chunk_size=chunk_size)
    assert info.value.reason == "bad_chunk_size"


def test_chunk_sizes_give_the_same_rows(days, sweep, serial_objectives):
    one_by_one = run(sweep, days, progress=False, max_workers=2, chunk_size=1)
    in_chunks = run(sweep, days, progress=False, max_workers=2, chunk_size=3)
    for single, chunked in zip(one_by_one.rows, in_chunks.rows):
        assert single["task_id"] == chunked["task_id"]
        assert single["summary"]["objective"] == chunked["summary"]["objective"]
        assert chunked["summary"]["objective"] == round(serial_objectives[chunked["task_id"]], 6)


def test_dask_matches_process_pool(days, serial_objectives, sweep, dask_client, tmp_path):
    tasks = sweep + [Task("chain", "day1", {"vehicle_cost": 300}),
                     Task("chain", "day2", {"vehicle_cost": 300})]
    result = run(tasks, days, executor=dask_client, checkpoint=tmp_path / "cp.jsonl",
                 progress=False)
    assert result.ok == 8
    by_address = run(tasks[:2], days, executor=dask_client.scheduler.address, progress=False)
    assert ([row["summary"]["objective"] for row in by_address.rows]
            == [row["summary"]["objective"] for row in result.rows[:2]])
    pool = run(tasks, days, progress=False, max_workers=2)
    for on_dask, on_pool in zip(result.rows, pool.rows):
        assert on_dask["task_id"] == on_pool["task_id"]
        assert on_dask["summary"]["objective"] == on_pool["summary"]["objective"]
    for row in result.rows[:6]:
        assert row["summary"]["objective"] == round(serial_objectives[row["task_id"]], 6)


def test_dask_worker_killed_mid_batch_loses_nothing(days, dask_client, tmp_path):
    checkpoint = tmp_path / "cp.jsonl"
    tasks = [Task("slow_chain", day, {"vehicle_cost": cost, "sleep": 0.25})
             for day in days for cost in range(0, 120, 20)]
    outcome = {}

    def batch():
        outcome["result"] = run(tasks, days, executor=dask_client, checkpoint=checkpoint,
                                progress=False)

    runner = threading.Thread(target=batch)
    runner.start()
    deadline = time.monotonic() + 30
    while not (checkpoint.exists() and checkpoint.read_text().count("\n") >= 1):
        assert time.monotonic() < deadline, "no task finished"
        time.sleep(0.02)
    pids = dask_client.run(os.getpid)
    victim = min(pids)
    os.kill(pids[victim], signal.SIGKILL)
    rows_at_kill = checkpoint.read_text().count("\n")
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert rows_at_kill < len(tasks)  # the kill landed mid-batch
    assert pids[victim] not in dask_client.run(os.getpid).values()  # that process is gone
    lines = checkpoint_lines(checkpoint)
    assert sorted(line["task_id"] for line in lines) == sorted(task.task_id for task in tasks)
    assert all(line["status"] == "ok" for line in lines), [line["error"] for line in lines]
    assert outcome["result"].ok == len(tasks)

def test_cli_batch_runs_then_skips(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[inputs.a]\nkind = "synthetic_orders"\nn = 200\nseed = 4\n\n'
        '[inputs.b]\nkind = "synthetic_orders"\nn = 200\nseed = 5\n\n'
        '[[sweep]]\nproblem = "chain"\ninputs = ["a", "b"]\n'
        'params = { deadhead_cost_per_km = 2.0 }\nvary.vehicle_cost = [0, 100]\n')
    checkpoint = tmp_path / "cp.jsonl"
    args = ["batch", str(spec), "--checkpoint", str(checkpoint), "--workers", "2", "--json"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["tasks"], first["ok"], first["errors"], first["skipped"]) == (4, 4, 0, 0)
    assert first["checkpoint"] == str(checkpoint) and "time_s" in first
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert (second["tasks"], second["ok"], second["skipped"], second["ran"]) == (4, 4, 4, 0)
    assert len(checkpoint_lines(checkpoint)) == 4


def test_cli_batch_bad_spec_is_a_one_line_error(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('[inputs.a]\nkind = "synthetic_orders"\nn = 50\n\n'
                    '[[sweep]]\nproblem = "chain"\ninputs = ["nope"]\n')
    assert main(["batch", str(spec), "--json"]) == 2
    assert "undefined input 'nope'" in json.loads(capsys.readouterr().out)["error"]


def test_every_problem_runs_as_a_task():
    # Ports, fleet distribution and relays through the pool give what a direct call gives.
    from shareopt.charging import plan_ports
    from shareopt.data.synthetic_charging import synthetic_charging
    from shareopt.hexfleet import hex_demand, plan_fleet
    from shareopt.relay import solve_relays, synthetic_relay

    charging = synthetic_charging(20, 300, days=2, seed=1).data
    demand = hex_demand(synthetic_orders(400, seed=3, places="lonlat"), resolution=7, periods=4)
    relay = synthetic_relay(30, 10, 40, seed=2)
    inputs = {"net": charging, "city": demand, "place": relay}
    tasks = [Task("ports", "net", {"budget": 50_000.0}),
             Task("hexfleet", "city", {"fleet": 60, "scenarios": 3, "test_scenarios": 10, "seed": 4}),
             Task("relay", "place", {"time_limit": 30})]
    result = run(tasks, inputs, progress=False, max_workers=2)
    assert [row["status"] for row in result.rows] == ["ok"] * 3, [row["error"] for row in result.rows]
    assert result.rows[0]["summary"]["cost"] == plan_ports(charging, 50_000.0).to_dict()["cost"]
    direct = plan_fleet(demand, 60, scenarios=3, test_scenarios=10, seed=4)
    assert result.load(tasks[1].task_id).cars.tolist() == direct.cars.tolist()
    assert result.rows[2]["summary"]["served_demand"] == solve_relays(relay, time_limit=30).served_demand


def test_killed_batch_resumes_without_losing_or_repeating(tmp_path):
    # The whole batch process is killed (SIGKILL) once some tasks are in the checkpoint; the
    # same command again runs only the rest, and every task ends up recorded exactly once.

    spec = tmp_path / "spec.toml"
    spec.write_text('[inputs.a]\nkind = "synthetic_orders"\nn = 3000\nseed = 6\n\n'
                    '[[sweep]]\nproblem = "chain"\ninputs = ["a"]\n'
                    'params = { deadhead_cost_per_km = 1.0 }\n'
                    'vary.vehicle_cost = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]\n')
    checkpoint = tmp_path / "cp.jsonl"
    command = [sys.executable, "-m", "shareopt", "batch", str(spec), "--checkpoint", str(checkpoint),
               "--workers", "1", "--json"]
    killed_mid_batch, before, summary, lines = kill_then_rerun(command, checkpoint, 3, 120)
    assert killed_mid_batch and 3 <= before < 16  # the kill landed between the first and the last task
    assert summary["skipped"] == before and summary["ran"] == 16 - before and summary["ok"] == 16
    assert len(lines) == 16 and len({line["task_id"] for line in lines}) == 16
    assert all(line["status"] == "ok" for line in lines)


def test_issue_scale_driver_killed_halfway_on_a_cluster(dask_client, tmp_path):
    # The issue's check: 200 trip-chain solves of 2,000 orders on a 2-worker LocalCluster.
    # The driver (`shareopt batch --scheduler`) is killed once half the tasks are in the
    # checkpoint; the cluster lives on, the same command finishes the rest, each task once.

    days = "".join(f'[inputs.day{seed}]\nkind = "synthetic_orders"\nn = 2000\nseed = {seed}\n\n'
                   for seed in range(10))
    spec = tmp_path / "spec.toml"
    spec.write_text(days + '[[sweep]]\nproblem = "chain"\n'
                    f'inputs = {json.dumps([f"day{seed}" for seed in range(10)])}\n'
                    'params = { deadhead_cost_per_km = 1.0, max_idle = 1200, threads = 1 }\n'
                    f'vary.vehicle_cost = {list(range(0, 200, 10))}\n')
    checkpoint = tmp_path / "cp.jsonl"
    command = [sys.executable, "-m", "shareopt", "batch", str(spec), "--checkpoint", str(checkpoint),
               "--scheduler", dask_client.scheduler.address, "--json"]
    killed_mid_batch, before, summary, lines = kill_then_rerun(command, checkpoint, 100, 300)
    assert killed_mid_batch and 100 <= before < 200
    assert summary["skipped"] == before and summary["ran"] == 200 - before and summary["ok"] == 200
    assert len(lines) == 200 and len({line["task_id"] for line in lines}) == 200
    assert all(line["status"] == "ok" for line in lines)


def sleepy_pid(orders, params):
    """Write this worker's pid into params['folder'], then sleep (for the orphan test)."""
    with open(os.path.join(params["folder"], str(os.getpid())), "w"):
        pass
    time.sleep(params["sleep"])
    return solve_trip_chains(orders, vehicle_cost=10.0)


register_problem("sleepy_pid", sleepy_pid)


def test_pool_workers_end_with_a_killed_driver(tmp_path):
    # A driver killed with SIGKILL cannot shut its pool down: its workers must notice and end,
    # not wait for work forever.

    folder = tmp_path / "pids"
    folder.mkdir()
    script = tmp_path / "driver.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(os.path.dirname(__file__))!r})\n"
        "from test_batch import sleepy_pid  # registers the problem\n"
        "from shareopt import synthetic_orders\n"
        "from shareopt.batch import Task, run\n"
        "if __name__ == '__main__':\n"
        "    days = {'a': synthetic_orders(200, seed=1, places='xy')}\n"
        f"    tasks = [Task('sleepy_pid', 'a', {{'folder': {str(folder)!r}, 'sleep': 60, 'k': k}})"
        " for k in range(4)]\n"
        "    run(tasks, days, max_workers=2, progress=False)\n")
    driver = subprocess.Popen([sys.executable, str(script)])
    deadline = time.monotonic() + 120
    while len(os.listdir(folder)) < 2:
        assert time.monotonic() < deadline and driver.poll() is None, "the workers never started"
        time.sleep(0.05)
    workers = [int(name) for name in os.listdir(folder)]
    driver.kill()
    driver.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), workers


def _alive(pid: int) -> bool:
    from shareopt._batch_tasks import _process_alive

    return _process_alive(pid)


def unpicklable_result(orders, params):
    """A task whose result cannot travel back to the driver when ``params['bad']``."""
    if params.get("bad"):
        return threading.Lock()  # neither pickle nor cloudpickle can send it
    return solve_trip_chains(orders, vehicle_cost=10.0)


register_problem("unpicklable_result", unpicklable_result)


def worker_pid(orders, params):
    time.sleep(params.get("sleep", 0.05))
    return os.getpid()


register_problem("worker_pid", worker_pid)


def test_a_chunk_runs_in_one_process(days):
    tasks = [Task("worker_pid", "day1", {"k": k}) for k in range(6)]
    result = run(tasks, days, progress=False, max_workers=2, chunk_size=6)
    assert result.ok == 6 and len({row["summary"]["value"] for row in result.rows}) == 1


@pytest.mark.parametrize("executor", ["pool", "dask"])
def test_a_result_that_cannot_travel_is_an_error_row(days, executor, request):
    # Checked on the worker: an error row for that task (Dask would wait forever for it).
    tasks = [Task("unpicklable_result", "day1", {"k": k, "bad": k == 2}) for k in range(6)]
    where = {"max_workers": 2} if executor == "pool" else {"executor": request.getfixturevalue("dask_client")}
    result = run(tasks, days, progress=False, chunk_size=3, **where)
    assert [row["status"] for row in result.rows] == ["ok", "ok", "error", "ok", "ok", "ok"]
    assert "cannot be sent back" in result.rows[2]["error"]


def test_a_chunk_lost_with_its_worker_runs_again_task_by_task(days, tmp_path):
    # One task of a chunk of three kills its worker the first time it runs; with no second
    # chances on the cluster the chunk is lost, its three tasks go again one by one, and all
    # six end ok (before: the two innocent chunk-mates were lost with it).
    distributed = pytest.importorskip("distributed")
    import dask

    markers = [tmp_path / f"marker{k}" for k in range(6)]
    for k, marker in enumerate(markers):
        if k != 4:
            marker.touch()  # crash_once crashes only where its marker does not exist yet
    tasks = [Task("crash_once", "day1", {"marker": str(marker)}) for marker in markers]
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        result = run(tasks, days, executor=client, progress=False, chunk_size=3, retries=0)
    assert [row["status"] for row in result.rows] == ["ok"] * 6, [row["error"] for row in result.rows]
    assert markers[4].exists()  # it did crash once


def test_a_worker_that_joins_mid_batch_gets_chunks(days, tmp_path):
    # Chunks are handed to workers as they free up, the worker list asked again as the batch
    # goes: a worker started halfway through takes its share.
    distributed = pytest.importorskip("distributed")
    checkpoint = tmp_path / "cp.jsonl"
    tasks = [Task("worker_pid", "day1", {"k": k, "sleep": 0.1}) for k in range(60)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        outcome = {}
        runner = threading.Thread(target=lambda: outcome.update(
            result=run(tasks, days, executor=client, checkpoint=checkpoint, progress=False, chunk_size=2)))
        runner.start()
        deadline = time.monotonic() + 60
        while not (checkpoint.exists() and checkpoint.read_text().count("\n") >= 2):
            assert time.monotonic() < deadline, "no task finished"
            time.sleep(0.02)
        cluster.scale(2)
        runner.join(timeout=120)
    result = outcome["result"]
    assert result.ok == 60 and len(checkpoint_lines(checkpoint)) == 60
    pids = {row["summary"]["value"] for row in result.rows}
    assert len(pids) == 2, "the second worker got nothing"

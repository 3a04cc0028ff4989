"""`python bench/bench.py` on its smallest workload: ember's row is checked against eager by the
bench itself, and a model ember cannot compile is reported in its row, not raised."""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import bench  # noqa: E402  (the benchmark lives outside the package, in bench/)


def test_bench_writes_checked_results(tmp_path):
    out = tmp_path / "results.json"
    assert bench.main(["--models", "call-overhead", "--backends", "eager,ember,ember-dynamic", "--threads", "1",
                       "--quick", "--json", str(out)]) == 0
    results = {r["backend"]: r for r in json.loads(out.read_text())["results"]}
    for backend in ("ember", "ember-dynamic"):  # the static compile, and the one with a dynamic batch
        assert results[backend]["error"] is None, results[backend]["error"]
        assert results[backend]["median_us"] > 0 and results[backend]["calls"] > 0


def test_targets_check_the_speed_up_from_more_threads():
    times = {("encoder-b1", 1): 3000.0, ("encoder-b1", 2): 1800.0, ("mlp-b64", 1): 280.0, ("mlp-b64", 2): 200.0,
             ("mlp-b1", 1): 25.0, ("mlp-b1", 2): 24.0}
    results = [bench.Result(workload, threads, "ember", median_us=us) for (workload, threads), us in times.items()]
    targets = bench.format_targets(results)
    assert "met   encoder-b1, ember at 2 threads over 1 thread: 1.67x (>= 1.5x)" in targets
    assert "MISS  mlp-b64, ember at 2 threads over 1 thread: 1.40x (>= 1.5x)" in targets
    assert "mlp-b1, ember at 2 threads" not in targets  # too small to share among cores


def test_bench_reports_a_model_ember_cannot_compile():
    # nonzero has a data-dependent result shape: torch.export cannot capture it for ember.
    workload = bench.Workload("nonzero", lambda: (torch.nonzero, (torch.tensor([0.0, 1.0, 2.0]),)))
    settings = bench.Settings(warmup=1, min_calls=1, max_calls=2, seconds=0.0)
    eager, ember = bench.measure(workload, 1, ["eager", "ember"], settings, log=lambda message: None)
    assert eager.error is None and eager.median_us > 0
    assert ember.error.startswith("compile failed: CaptureError")
    assert "ember: compile failed: CaptureError" in bench.format_table([eager, ember], ["eager", "ember"])


def test_bench_cuda_backends_run_on_a_gpu_or_say_why_not():
    workload = bench.WORKLOADS["call-overhead"]
    settings = bench.Settings(warmup=1, min_calls=2, max_calls=5, seconds=0.0)
    results = bench.measure(workload, 1, bench.CUDA_BACKENDS, settings, log=lambda message: None)
    for result in results:
        if torch.cuda.is_available():  # checked against eager by the bench itself
            assert result.error is None and result.median_us > 0, result.error
        else:
            assert result.error == "skipped: no CUDA device here (torch.cuda.is_available() is False)"
    table = bench.format_table(results, bench.CUDA_BACKENDS)
    assert "eager-cuda µs" in table and "ember-cuda µs" in table

"""Multi-core execution (`ember.compile(..., threads=N)`) against eager numerics."""

import gc
import os

import pytest
import torch
from torch import nn

import ember


def test_two_threads_match_eager():
    # 64 x 1024 outputs, 1024 deep: above ember-parallelize-tiles' min-work.
    model = nn.Sequential(nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 8)).eval()
    x = torch.randn(64, 1024)
    compiled = ember.compile(model, (x,), threads=2)
    assert "scf.forall" in compiled.ir("bufferized")  # some tile loop did become parallel
    assert "omp.parallel" in compiled.ir("llvm")  # and runs on OpenMP threads
    for _ in range(3):  # the OpenMP threads are reused across calls
        x = torch.randn(64, 1024)
        torch.testing.assert_close(compiled(x), model(x))


@pytest.mark.parametrize("threads", [0, -1, 1.5, True])
def test_bad_thread_count(threads):
    with pytest.raises(ember.EmberError, match="threads must be a positive int"):
        ember.compile(lambda x: x + 1, (torch.randn(2),), threads=threads)


def test_freeing_a_threaded_module_leaves_the_others_working():
    # Each module once loaded its parallel runtime into its own engine, and freeing that engine
    # freed the runtime that the other module's calls then used (a segfault).
    model = nn.Sequential(nn.Linear(1024, 1024), nn.ReLU()).eval()
    x = torch.randn(64, 1024)
    first = ember.compile(model, (x,), threads=2)
    second = ember.compile(model, (x,), threads=2)
    del first
    gc.collect()
    torch.testing.assert_close(second(x), model(x))


def test_the_thread_count_reaches_embers_runtime_and_leaves_torchs_alone():
    # The entry called omp_set_num_threads, which torch's libgomp (loaded first) answered: ember's
    # libiomp5 ran every parallel loop on all cores, at threads=1 too, and torch's own thread
    # count on the calling thread became the model's. Now ember's loops run on torch's libgomp
    # (ember.runtime.openmp), with the team size set per region.
    from ember.runtime.openmp import last_team_size, load_openmp_runtime

    model = nn.Sequential(nn.Linear(1024, 1024), nn.ReLU()).eval()
    x = torch.randn(64, 1024)
    compiled = ember.compile(model, (x,), threads=1)
    assert load_openmp_runtime() == "libgomp"
    previous = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        for threads in (1, 2, 1):
            compiled.threads = threads
            torch.testing.assert_close(compiled(x), model(x))
            assert last_team_size() == threads  # the team that ran ember's latest parallel loop
            assert torch.get_num_threads() == 3  # and torch's setting, untouched
            torch.testing.assert_close(torch.mm(x, x.T), x @ x.T)  # eager on the same pool
    finally:
        torch.set_num_threads(previous)


def test_by_default_a_call_runs_on_as_many_threads_as_eager_at_that_moment():
    from ember.runtime.openmp import last_team_size

    model = nn.Sequential(nn.Linear(1024, 1024), nn.ReLU()).eval()
    x = torch.randn(64, 1024)
    compiled = ember.compile(model, (x,))
    previous = torch.get_num_threads()
    try:
        for threads in (2, 1, 3):
            torch.set_num_threads(threads)  # read at each call, not at compile time
            torch.testing.assert_close(compiled(x), model(x))
            assert compiled.threads == threads
            assert last_team_size() == threads
        compiled.threads = 1  # a count set sticks, whatever torch's
        torch.testing.assert_close(compiled(x), model(x))
        assert last_team_size() == 1 and compiled.threads == 1
        compiled.threads = None  # and None follows torch's again
        torch.set_num_threads(2)
        torch.testing.assert_close(compiled(x), model(x))
        assert last_team_size() == 2
    finally:
        torch.set_num_threads(previous)


def test_libiomp5_serves_parallel_loops_where_asked(tmp_path):
    """EMBER_OPENMP=libiomp5 (and a process without torch's libgomp, or without a C compiler):
    the parallel loops run on libiomp5, as a saved C library's do, and match eager."""
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import os, torch, ember\n"
        "os.environ['EMBER_OPENMP'] = 'libiomp5'\n"
        "from ember.runtime.openmp import load_openmp_runtime\n"
        "assert load_openmp_runtime() == 'libiomp5'\n"
        "model = torch.nn.Sequential(torch.nn.Linear(1024, 1024), torch.nn.ReLU()).eval()\n"
        "x = torch.randn(64, 1024)\n"
        "compiled = ember.compile(model, (x,), threads=2)\n"
        "torch.testing.assert_close(compiled(x), model(x))\n"
        "print('ok')\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "EMBER_CACHE": "0"})
    assert done.stdout.strip().endswith("ok"), done.stderr[-2000:]
"""A native abort inside MLIR/LLVM must not kill the caller: isolated compiles turn it into
ember.IsolatedCrashError with a reproducer, and this test process lives on to check it."""

import os
import subprocess
import sys

import pytest
import torch

import ember
from ember.isolation import isolation_mode
from ember.passes.pass_manager import read_reproducer

# The foundation's naive lowering, without ember-bool-to-byte: the `i1` buffer of `x > 0` is
# loaded by the select, and finalize-memref-to-llvm asserts on that load (SIGABRT).
NAIVE = (
    "builtin.module(func.func(linalg-generalize-named-ops),{bools}"
    "one-shot-bufferize{{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map}},"
    "buffer-results-to-out-params{{hoist-static-allocs modify-public-functions}},"
    "convert-bufferization-to-memref,ember-entry-point,func.func(convert-linalg-to-loops),convert-scf-to-cf,"
    "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-arith-to-llvm,"
    "convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)"
)


def select_positive(x, y):
    return torch.where(x > 0, x, y)


ARGS = (torch.tensor([1.0, -2.0, 3.0, -4.0]), torch.tensor([10.0, 20.0, 30.0, 40.0]))


def test_native_abort_becomes_isolated_crash_error():
    with pytest.raises(ember.IsolatedCrashError) as info:
        ember.compile(select_positive, ARGS, pipeline=NAIVE.format(bools=""))
    error = info.value
    assert error.stage == "llvm"
    assert "pass 'finalize-memref-to-llvm'" in str(error)
    assert "died of SIGABRT" in str(error)
    pipeline, ir_text = read_reproducer(open(error.reproducer).read())
    assert pipeline.endswith("finalize-memref-to-llvm)")
    assert "func.func @main" in ir_text and "tensor<4xi1>" in ir_text
    # The reproducer replays the same assertion, in a process of its own.
    replay = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ember-opt"), "--run-reproducer", error.reproducer],
        capture_output=True, text=True, timeout=120,
    )
    assert replay.returncode != 0
    assert "integralElementType.getWidth() >= 8" in replay.stderr


def test_bool_to_byte_makes_the_same_pipeline_safe_in_process():
    compiled = ember.compile(select_positive, ARGS, pipeline=NAIVE.format(bools="ember-bool-to-byte,"), isolate=False)
    torch.testing.assert_close(compiled(*ARGS), select_positive(*ARGS))


@pytest.mark.parametrize("isolate", [True, "full", False])
def test_isolated_and_in_process_compiles_agree(isolate):
    compiled = ember.compile(lambda x: torch.sort(x)[0] > 0, (ARGS[0],), isolate=isolate)
    assert compiled.stages == ["torch", "linalg", *[s for s in compiled.stages if s not in ("torch", "linalg")]]
    assert "llvm.func @ember_entry" in compiled.ir("llvm")
    torch.testing.assert_close(compiled(ARGS[0]), torch.sort(ARGS[0])[0] > 0)


def test_pass_error_in_the_child_comes_back_as_pass_error():
    bad = "builtin.module(func.func(linalg-generalize-named-ops),ember-check-llvm-lowered)"
    with pytest.raises(ember.PassError) as info:
        ember.compile(select_positive, ARGS, pipeline=bad, isolate=True)
    assert "was not lowered to the LLVM dialect" in str(info.value)
    assert info.value.reproducer and os.path.exists(info.value.reproducer)


def test_a_silent_child_is_killed_and_reported(monkeypatch):
    # A pass that never returns (a deadlock after fork would look the same): the child is killed
    # after $EMBER_ISOLATE_TIMEOUT seconds without a word, and the caller gets an error, not a hang.
    import time

    from ember import isolation

    children = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        children.append(pid)
        return pid

    monkeypatch.setattr(isolation.os, "fork", fork)
    monkeypatch.setattr(isolation, "run_pipeline", lambda *args, **kwargs: time.sleep(600))
    monkeypatch.setenv("EMBER_ISOLATE_TIMEOUT", "2")
    start = time.monotonic()
    with pytest.raises(ember.IsolatedCrashError, match="did not answer within 2 s"):
        ember.compile(select_positive, ARGS, isolate=True)
    assert time.monotonic() - start < 60
    with pytest.raises(ChildProcessError):  # reaped: no child left running or as a zombie
        os.waitpid(children[-1], os.WNOHANG)


def test_isolation_setting(monkeypatch):
    monkeypatch.delenv("EMBER_ISOLATE", raising=False)
    assert isolation_mode(None) == "passes"
    monkeypatch.setenv("EMBER_ISOLATE", "full")
    assert isolation_mode(None) == "full"
    monkeypatch.setenv("EMBER_ISOLATE", "0")
    assert isolation_mode(None) == "off"
    assert isolation_mode(True) == "passes"
    with pytest.raises(ember.EmberError, match="isolate must be one of"):
        isolation_mode("sometimes")


CRASH_IN_TORCH_MLIR = """
import importlib, torch, ember
capture = importlib.import_module("ember.frontend.capture")
narrow, capture._NARROW_INTEGER_OPS = capture._NARROW_INTEGER_OPS, {}
x = torch.tensor([1, 2, 3], dtype=torch.int8)
try:
    ember.compile(lambda x: x * 3, (x,))
except ember.IsolatedCrashError as e:
    assert e.stage == "torch-mlir's import and lowering", e.stage
    assert "died of SIGSEGV" in str(e), str(e)
    program = torch.export.load(e.reproducer)  # the capture, replayable
    torch.testing.assert_close(program.module()(x), x * 3)
    capture._NARROW_INTEGER_OPS = narrow
    torch.testing.assert_close(ember.compile(lambda x: x * 3, (x,))(x), x * 3)  # this process lives on
    print("contained")
"""


def test_torch_mlir_crash_becomes_isolated_crash_error(tmp_path):
    # Without ember's decomposition of int8 `x * 3`, torch-mlir's backend pipeline dies of SIGSEGV
    # (in a process that has not run torch-mlir before): under the default setting that is an
    # error, with the exported program saved. A fresh process, for that first run.
    env = {k: v for k, v in os.environ.items() if k != "EMBER_ISOLATE"}
    run = subprocess.run([sys.executable, "-c", CRASH_IN_TORCH_MLIR], capture_output=True, text=True, timeout=300,
                         env={**env, "EMBER_REPRODUCER_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "contained", run.stderr[-3000:]

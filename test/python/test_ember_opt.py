"""ember-opt replays the reproducer that a failing `ember.compile` leaves, to the same error."""

import inspect
import io

import pytest
import torch

import ember
from ember.tools.ember_opt import EmberOptMain


def add_one(x):
    return x + 1


def test_ember_opt_replays_a_reproducer_of_ember_compile(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_REPRODUCER_DIR", str(tmp_path))
    # Stopping at loops never reaches the LLVM dialect, so ember's final check fails.
    pipeline = "builtin.module(one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops))"
    with pytest.raises(ember.PassError) as compile_error:
        ember.compile(add_one, (torch.randn(3),), pipeline=pipeline)
    assert "'func.func' was not lowered to the LLVM dialect" in str(compile_error.value)

    stdout, stderr = io.StringIO(), io.StringIO()
    status = EmberOptMain(["--run-reproducer", compile_error.value.reproducer], stdout, stderr).run()
    assert status == 1 and stdout.getvalue() == ""
    replayed = stderr.getvalue()
    # The same error at the same place: the user's line that defines the function.
    line = inspect.getsourcelines(add_one)[1] + 1
    assert f"{__file__}:{line}:0: error: 'func.func' was not lowered to the LLVM dialect" in replayed
    assert "pass 'ember-check-llvm-lowered' failed" in replayed

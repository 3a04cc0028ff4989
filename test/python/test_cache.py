"""The compile cache: a second process compiling the same model loads it; corrupted entries are
rebuilt; concurrent writers both succeed; the directory stays within its bound."""

import os
import subprocess
import sys

import pytest
import torch

import ember

SCRIPT = """
import sys, time, torch, ember
from torch import nn
torch.manual_seed(int(sys.argv[1]))
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 4)).eval()
x = torch.randn(3, 64)
start = time.perf_counter()
compiled = ember.compile(model, (x,))
elapsed = time.perf_counter() - start
torch.testing.assert_close(compiled(x), model(x))
assert compiled.ir("llvm").startswith("module")
print(f"{elapsed:.3f}")
"""


def _compile_in_process(cache_dir, seed=0, **env):
    environment = {**os.environ, "EMBER_CACHE": "1", "EMBER_CACHE_DIR": str(cache_dir), "EMBER_LOG": "info", **env}
    return subprocess.run([sys.executable, "-c", SCRIPT, str(seed)], env=environment, capture_output=True,
                          text=True, check=True)


def test_second_process_loads_from_the_cache(tmp_path):
    cold = _compile_in_process(tmp_path)
    assert "ember cache: stored" in cold.stderr
    assert len(list(tmp_path.glob("*.ember"))) == 1
    warm = _compile_in_process(tmp_path)
    assert "ember cache: hit" in warm.stderr and "stored" not in warm.stderr
    other_weights = _compile_in_process(tmp_path, seed=1)  # other weights: another entry
    assert "ember cache: stored" in other_weights.stderr
    assert len(list(tmp_path.glob("*.ember"))) == 2


def test_corrupted_entry_is_compiled_again(tmp_path):
    _compile_in_process(tmp_path)
    (entry,) = tmp_path.glob("*.ember")
    entry.write_bytes(entry.read_bytes()[:100])
    rebuilt = _compile_in_process(tmp_path)
    assert "unreadable" in rebuilt.stderr and "ember cache: stored" in rebuilt.stderr
    assert "ember cache: hit" in _compile_in_process(tmp_path).stderr


def test_concurrent_writers_both_succeed(tmp_path):
    environment = {**os.environ, "EMBER_CACHE": "1", "EMBER_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.Popen([sys.executable, "-c", SCRIPT, "0"], env=environment, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE) for _ in range(2)]
    for run in runs:
        _, err = run.communicate()
        assert run.returncode == 0, err.decode()
    assert len(list(tmp_path.glob("*.ember"))) == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_size_bound_evicts_the_oldest(tmp_path):
    for seed in range(3):
        _compile_in_process(tmp_path, seed=seed, EMBER_CACHE_MAX_MB="0.05")
    assert len(list(tmp_path.glob("*.ember"))) == 1


def test_in_process_hit_matches_eager(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_CACHE", "1")
    monkeypatch.setenv("EMBER_CACHE_DIR", str(tmp_path))

    def pair(x):
        return torch.sort(x)  # a structseq result: the hit rebuilds the same type

    x = torch.randn(6)
    first = ember.compile(pair, (x,))
    second = ember.compile(pair, (x,))
    assert second.artifact.native is not None
    expected = torch.sort(x)
    for compiled in (first, second):
        got = compiled(x)
        assert type(got) is type(expected)
        torch.testing.assert_close(tuple(got), tuple(expected))
    assert second.stages == first.stages

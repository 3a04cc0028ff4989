import os

import pytest
import torch

# Every test compiles for real unless it turns the compile cache on itself (test_cache.py).
os.environ["EMBER_CACHE"] = "0"


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture
def lowerings(monkeypatch):
    """Counts the compiles that reach the target's stages (no disk cache in the way)."""
    from ember import compiler

    monkeypatch.setenv("EMBER_CACHE", "0")
    calls = []
    lower = compiler._lower

    def counted(*args, **kwargs):
        calls.append(1)
        return lower(*args, **kwargs)

    monkeypatch.setattr(compiler, "_lower", counted)
    return calls

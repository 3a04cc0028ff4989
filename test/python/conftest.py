import os

import pytest
import torch

# Every test compiles for real unless it turns the compile cache on itself (test_cache.py).
os.environ["EMBER_CACHE"] = "0"


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)

"""Compiles the cuda tests' models here (no GPU needed) into a bundle for a GPU machine:

    .venv/bin/python test/gpu/bundle.py shared/gpu-bundle [--chip sm_90]

writes, per model, `<name>.ember` (cuda:CHIP) and `<name>.pt` (its inputs and eager's outputs).
`test/gpu/run.py` runs the bundle there, with torch and the driver alone (see its docstring).
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
import ember  # noqa: E402
from test_cuda import MODELS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--chip", default="sm_90")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, (make_model, make_inputs) in MODELS.items():
        torch.manual_seed(0)
        model, inputs = make_model(), make_inputs()
        with torch.no_grad():
            expected = model(*inputs)
        compiled = ember.compile(model, inputs, target=f"cuda:{args.chip}", fallback="error")
        compiled.save(os.path.join(args.out, f"{name}.ember"))
        torch.save({"inputs": inputs, "expected": expected}, os.path.join(args.out, f"{name}.pt"))
        print(f"{name}: {len(compiled.artifact.device['launches'])} kernels")


if __name__ == "__main__":
    main()

"""Runs a bundle of cuda-compiled models (test/gpu/bundle.py) on a GPU machine and compares
each with eager's outputs; prints one line per model and exits 1 if any differs or fails.

    python test/gpu/run.py shared/gpu-bundle

Needs only torch with CUDA and the driver: ember's runtime is imported from this source tree
(no install: the compiler's packages, torch-mlir and the MLIR wheels, need not be there), so
that it runs where the project's GPU machines run Python 3.12 and torch 2.11 without network.
"""

import glob
import importlib.util
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def import_ember_from_tree():
    """`ember` from ROOT: the package is ember/, its subpackages (runtime/, ...) ROOT's folders."""
    spec = importlib.util.spec_from_file_location("ember", os.path.join(ROOT, "ember", "__init__.py"),
                                                  submodule_search_locations=[os.path.join(ROOT, "ember"), ROOT])
    module = importlib.util.module_from_spec(spec)
    sys.modules["ember"] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    ember = import_ember_from_tree()
    import torch

    print(f"torch {torch.__version__}, cuda {torch.cuda.is_available()}"
          f" ({torch.cuda.get_device_name() if torch.cuda.is_available() else 'no device'})")
    failed = 0
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.ember"))):
        name = os.path.basename(path)[: -len(".ember")]
        try:
            data = torch.load(path[: -len(".ember")] + ".pt")
            module = ember.load(path)
            inputs = [x.cuda() for x in data["inputs"]]
            try:
                module(*data["inputs"])  # CPU tensors: refused, never copied
                raise AssertionError("CPU inputs were not refused")
            except ember.InputValueError:
                pass
            got = module(*inputs)
            torch.cuda.synchronize()
            start, calls = time.perf_counter(), 100
            for _ in range(calls):
                module(*inputs)
            torch.cuda.synchronize()
            per_call = (time.perf_counter() - start) / calls * 1e6
            got = torch.utils._pytree.tree_map(lambda t: t.cpu(), got)
            torch.testing.assert_close(got, data["expected"], rtol=1e-4, atol=1e-4)
            print(f"PASS {name}: {len(module.artifact.device['launches'])} kernels, {per_call:.1f} us per call")
        except Exception as e:  # noqa: BLE001 - every failure is reported, and counted
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""`ember-import`: prints the torch-dialect or linalg-on-tensors IR that ember's frontend makes
of a model, so that the frontend can be tested with FileCheck and its output fed to ember-opt.

    ember-import models.py:make_mlp --shape 1x512                    # linalg-on-tensors
    ember-import models.py:make_mlp --shape 1x512 --stage torch      # torch backend IR
    ember-import models.py:add3 --shape 4 --shape 4 --shape 4 --dtype int64

`FILE.py:NAME` names an nn.Module class or a factory function (no parameters) that returns an
nn.Module, or a plain function of tensors that is captured as it is. Inputs are random tensors
of the given shapes (one `--shape` per input); `--dtype` is given once for all of them or once
per input.
"""

import argparse
import importlib.util
import inspect
import os
import sys

import torch

from ember.errors import EmberError


def load_model(target: str):
    """`path/to/file.py:name` → the model it names (an nn.Module, or a function of tensors)."""
    path, sep, name = target.rpartition(":")
    if not sep or not path.endswith(".py"):
        raise EmberError(f"expected FILE.py:NAME (a model class, a factory or a function), got '{target}'")
    if not os.path.isfile(path):
        raise EmberError(f"no such model file: {path}")
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, name):
        raise EmberError(f"{path} defines no '{name}'")
    obj = getattr(module, name)
    if isinstance(obj, type) and issubclass(obj, torch.nn.Module):
        return obj().eval()
    if callable(obj) and not inspect.signature(obj).parameters:
        made = obj()  # a factory
        if not isinstance(made, torch.nn.Module):
            raise EmberError(f"{target} takes no arguments, so it must return an nn.Module; it returned {type(made).__name__}")
        return made.eval()
    if callable(obj):
        return obj
    raise EmberError(f"{target} is a {type(obj).__name__}; expected an nn.Module class, a factory or a function")


def parse_shape(text: str) -> tuple[int, ...]:
    """`1x512` → (1, 512); `scalar` → ()."""
    if text == "scalar":
        return ()
    try:
        return tuple(int(d) for d in text.split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a shape like 1x512 (or 'scalar'), got '{text}'") from None


def parse_dtype(text: str) -> torch.dtype:
    dtype = getattr(torch, text, None)
    if not isinstance(dtype, torch.dtype):
        raise argparse.ArgumentTypeError(f"expected a torch dtype name such as float32 or int64, got '{text}'")
    return dtype


def example_input(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    if dtype.is_floating_point or dtype.is_complex:
        return torch.randn(shape, dtype=dtype)
    return torch.randint(0, 8, shape, dtype=dtype)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember-import", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="FILE.py:NAME")
    parser.add_argument("--shape", action="append", type=parse_shape, required=True, help="an input's shape, e.g. 1x512")
    parser.add_argument("--dtype", action="append", type=parse_dtype, default=[], help="input dtype(s) (default: float32)")
    parser.add_argument("--stage", choices=["torch", "linalg"], default="linalg", help="which IR to print")
    parser.add_argument("-o", dest="output", default="-", help="where to write the IR (default: stdout)")
    args = parser.parse_args(argv)
    dtypes = args.dtype or [torch.float32]
    if len(dtypes) == 1:
        dtypes = dtypes * len(args.shape)
    if len(dtypes) != len(args.shape):
        parser.error(f"give --dtype once or once per --shape: got {len(dtypes)} dtypes for {len(args.shape)} shapes")

    from ember.frontend.capture import capture  # imports torch-mlir: after the arguments are checked

    torch.manual_seed(0)  # the same weights and inputs on every run
    try:
        model = load_model(args.model)
        captured = capture(model, tuple(example_input(s, d) for s, d in zip(args.shape, dtypes)))
    except EmberError as e:
        sys.stderr.write(f"ember-import: error: {e}\n")
        return 1
    text = captured.torch_ir if args.stage == "torch" else captured.linalg_ir
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

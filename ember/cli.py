"""The `ember` command (also `python -m ember`):

    ember compile FILE.py:NAME --shape 1x512 [--dtype float32] [--threads N] [--target cuda] -o model.ember
    ember run model.ember --input x.npy [--output y.npy]
    ember inspect model.ember [--stage llvm] [--svg graph.svg]
    ember export model.ember -o DIR [--name NAME]
    ember bench model.ember [--calls N]
    ember coverage [--family F] [--dtype D]
    ember demo

Errors exit with status 1 and the EmberError's message, without a traceback.
"""

import argparse
import statistics
import sys
import time

from ember.errors import EmberError


def _compile(args) -> None:
    import torch

    import ember
    from ember.tools.ember_import import example_input, load_model

    dtypes = args.dtype or [torch.float32]
    dtypes = dtypes * len(args.shape) if len(dtypes) == 1 else dtypes
    if len(dtypes) != len(args.shape):
        raise EmberError(f"give --dtype once or once per --shape: got {len(dtypes)} dtypes for {len(args.shape)} shapes")
    torch.manual_seed(0)
    model = load_model(args.model)
    inputs = tuple(example_input(s, d) for s, d in zip(args.shape, dtypes))
    compiled = ember.compile(model, inputs, threads=args.threads, target=args.target)
    compiled.save(args.output)
    print(f"{compiled.signature}\nwrote {args.output}")


def _run(args) -> None:
    import numpy

    import ember

    module = ember.load(args.model, threads=args.threads)
    inputs = []
    for path in args.input:
        try:
            inputs.append(numpy.load(path, allow_pickle=False))
        except (OSError, ValueError) as e:
            raise EmberError(f"cannot read input {path}: {e}") from None
    result = module(*inputs)
    results = result if isinstance(result, (tuple, list)) else [result]
    results = [r.numpy() if hasattr(r, "numpy") else numpy.asarray(r) for r in results]
    if args.output:
        if len(results) != len(args.output):
            raise EmberError(f"{module.name} has {len(results)} results; got {len(args.output)} --output paths")
        for path, value in zip(args.output, results):
            numpy.save(path, value)
    else:
        for value in results:
            print(value)


def _inspect(args) -> None:
    from ember.runtime.artifact import read

    artifact = read(args.model)
    if args.svg:
        from ember.runtime.inspection import kernel_dot, render_svg

        render_svg(kernel_dot(artifact.signature, artifact.kernels), args.svg)
        print(f"wrote {args.svg}")
        return
    if args.stage == "llvm":
        from ember.runtime.jit import llvm_text

        print(llvm_text(artifact.llvm_ir))
        return
    from ember.runtime.inspection import summary

    print(summary(artifact.signature, artifact.target, artifact.kernels))
    print(f"options: {artifact.options}")
    print(f"entry: {artifact.abi.entry}  arena: {artifact.abi.arena_size} bytes  OpenMP: {artifact.abi.uses_openmp}"
          f"  runtime errors: {len(artifact.abi.errors)}")
    print(f"native code: {len(artifact.native or b'')} bytes for {' '.join(artifact.cpu_features) or '(any CPU)'}")
    print(f"LLVM IR: {len(artifact.llvm_ir)} bytes (MLIR bytecode)")
    print("made by: " + ", ".join(f"{k} {v}" for k, v in artifact.versions.items()))
    print(f"content hash: {artifact.content_hash}")


def _export(args) -> None:
    from ember.runtime.artifact import read
    from ember.runtime.c_export import export

    library, header = export(read(args.model), args.output, args.name)
    print(f"wrote {library}\nwrote {header}")


def _bench(args) -> None:
    import numpy

    import ember

    module = ember.load(args.model, threads=args.threads)
    rng = numpy.random.default_rng(0)
    inputs = [rng.standard_normal(s.shape).astype(s.dtype) if s.dtype.startswith("float")
              else numpy.zeros(s.shape, dtype=s.dtype) for s in module.signature.inputs]
    try:
        import torch

        inputs = [torch.from_numpy(a) for a in inputs]
    except ImportError:
        pass
    for _ in range(min(args.calls, 20)):
        module(*inputs)
    times = []
    for _ in range(args.calls):
        start = time.perf_counter()
        module(*inputs)
        times.append(time.perf_counter() - start)
    print(f"{module.name}: median {statistics.median(times) * 1e6:.1f} us per call over {args.calls} calls"
          f" ({module.threads} thread{'s' if module.threads > 1 else ''})")


def _coverage(args) -> None:
    import warnings

    from ember import coverage

    warnings.filterwarnings("ignore")  # the table says what fell back, case by case
    selected = coverage.cases(args.family, args.dtype)
    if not selected:
        families = sorted({op.family for op in coverage.OPS})
        raise EmberError(f"no coverage case has family {args.family!r} and dtype {args.dtype!r}; families: {', '.join(families)}")
    coverage.table(selected, log=lambda line: print(line, flush=True))


def _demo(args) -> None:
    from ember.demo import main as demo

    demo()


_THREADS_HELP = "OpenMP threads per call (default: torch's count)"


def _parser() -> argparse.ArgumentParser:
    from ember.tools.ember_import import parse_dtype, parse_shape

    parser = argparse.ArgumentParser(prog="ember", description="ember: an MLIR-backed compiler for PyTorch")
    commands = parser.add_subparsers(dest="command")
    c = commands.add_parser("compile", help="compile a model into a .ember file")
    c.add_argument("model", help="FILE.py:NAME (an nn.Module class, a factory or a function)")
    c.add_argument("--shape", action="append", type=parse_shape, required=True, help="an input's shape, e.g. 1x512")
    c.add_argument("--dtype", action="append", type=parse_dtype, default=[], help="input dtype(s) (default: float32)")
    c.add_argument("--threads", type=int, default=None, help=_THREADS_HELP)
    c.add_argument("--target", default="cpu", help="cpu, cuda (cuda:sm_90, ...) or cuda-emulated")
    c.add_argument("-o", dest="output", required=True, help="the .ember file to write")
    r = commands.add_parser("run", help="run a .ember file on .npy inputs")
    r.add_argument("model")
    r.add_argument("--input", action="append", default=[], help="an input as a .npy file (one per input)")
    r.add_argument("--output", action="append", default=[], help="write a result to this .npy file")
    r.add_argument("--threads", type=int, default=None, help=_THREADS_HELP)
    i = commands.add_parser("inspect", help="show what a .ember file holds")
    i.add_argument("model")
    i.add_argument("--stage", choices=["llvm"], help="print the IR of this stage")
    i.add_argument("--svg", help="write the kernel graph to this SVG file")
    e = commands.add_parser("export", help="write libNAME.so and NAME.h: the model as a C library")
    e.add_argument("model")
    e.add_argument("-o", dest="output", required=True, help="the directory to write")
    e.add_argument("--name", help="the C name (default: the model's)")
    b = commands.add_parser("bench", help="time calls of a .ember file")
    b.add_argument("model")
    b.add_argument("--calls", type=int, default=1000)
    b.add_argument("--threads", type=int, default=None, help=_THREADS_HELP)
    commands.add_parser("demo", help="the seed MLP, eager vs compiled")
    v = commands.add_parser("coverage", help="single ATen ops through ember: compiled / fell back / failed, and why")
    v.add_argument("--family", help="only this family (unary, binary, reduce, index, conv, ...)")
    v.add_argument("--dtype", help="only this dtype (float32, float16, bfloat16, int64, bool, ...)")
    return parser


COMMANDS = {"compile": _compile, "run": _run, "inspect": _inspect, "export": _export, "bench": _bench, "demo": _demo,
            "coverage": _coverage}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command or "demo"](args)
    except EmberError as e:
        sys.stderr.write(f"ember: error: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

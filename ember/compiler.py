"""`ember.compile`: capture → linalg → ember's pipeline → LLVM JIT, with every stage kept."""

import torch
import torch.utils._pytree as pytree
from mlir import ir

from ember import isolation
from ember.dialects import new_context
from ember.errors import EmberError, InputError, InputValueError, LoweringError
from ember.frontend.capture import CapturedModel, TensorSpec, capture
from ember.passes.pass_manager import format_diagnostics
from ember.passes.pipelines import cpu_stages
from ember.runtime.cpu import CpuExecutable, jit_libraries


def _elided(module: ir.Module) -> str:
    return module.operation.get_asm(large_elements_limit=16, large_resource_limit=64)


def _parse_linalg(captured: CapturedModel, context: ir.Context) -> ir.Module:
    with context:
        try:
            return ir.Module.parse(captured.linalg_ir)
        except ir.MLIRError as e:
            raise LoweringError(
                f"upstream MLIR could not parse the linalg IR of {captured.name}:\n{format_diagnostics(e)}"
            ) from None


class CompiledModule:
    """A model compiled for its example inputs' shapes and dtypes. Call it like the model."""

    def __init__(self, captured: CapturedModel, stages: dict[str, str], executable: CpuExecutable):
        self.name = captured.name
        self.inputs: list[TensorSpec] = captured.inputs
        self.outputs: list[TensorSpec] = captured.outputs
        self._stages = stages
        self._executable = executable
        self._out_spec = captured.out_spec
        self._single_output = captured.out_spec.is_leaf()
        self._expected = [(s.dtype, torch.Size(s.shape)) for s in self.inputs]

    @property
    def stages(self) -> list[str]:
        """The IR levels that `ir()` can show, in pipeline order."""
        return list(self._stages)

    def ir(self, stage: str = "linalg") -> str:
        """The module's IR at one stage (weights elided): see `stages`."""
        if stage not in self._stages:
            raise EmberError(f"no IR stage '{stage}'; this module has: {', '.join(self._stages)}")
        return self._stages[stage]

    def _check(self, args: tuple) -> list[torch.Tensor]:
        if len(args) != len(self.inputs):
            names = ", ".join(s.name for s in self.inputs)
            raise InputError(f"{self.name} takes {len(self.inputs)} tensor arguments ({names}), got {len(args)}")
        tensors = []
        for spec, value in zip(self.inputs, args):
            if not isinstance(value, torch.Tensor):
                raise InputError(f"argument '{spec.name}' of {self.name}: expected a {spec.describe()}, got {type(value).__name__}")
            if value.dtype != spec.dtype:
                raise InputError(f"argument '{spec.name}' of {self.name}: expected dtype {spec.dtype}, got {value.dtype}")
            if value.shape != spec.shape:
                what = "rank" if value.dim() != len(spec.shape) else "shape"
                raise InputValueError(
                    f"argument '{spec.name}' of {self.name}: expected {what} {len(spec.shape) if what == 'rank' else list(spec.shape)}"
                    f" (shape {list(spec.shape)}), got shape {list(value.shape)}"
                )
            if value.device.type != "cpu":
                raise InputValueError(f"argument '{spec.name}' of {self.name}: expected a cpu tensor, got one on {value.device}")
            tensors.append(value if value.is_contiguous() else value.contiguous())
        return tensors

    def __call__(self, *args):
        # The common case costs a few attribute reads per argument; anything else (a mismatch
        # to report, a non-contiguous tensor or a Tensor subclass) takes the full `_check`.
        inputs = args
        if len(args) != len(self._expected):
            inputs = self._check(args)
        else:
            for value, (dtype, shape) in zip(args, self._expected):
                if not (
                    type(value) is torch.Tensor
                    and value.dtype is dtype
                    and value.shape == shape
                    and value.is_cpu
                    and value.is_contiguous()
                ):
                    inputs = self._check(args)
                    break
        outputs = self._executable.run(inputs)
        if self._single_output:
            return outputs[0]
        return pytree.tree_unflatten(outputs, self._out_spec)

    def __repr__(self) -> str:
        sig = ", ".join(f"{s.name}: {s.describe()}" for s in self.inputs)
        return f"<ember.CompiledModule {self.name}({sig})>"


def compile(
    model,
    example_inputs,
    *,
    pipeline: str | None = None,
    opt_level: int = 3,
    isolate: bool | str | None = None,
    threads: int = 1,
) -> CompiledModule:
    """Compiles `model` (an nn.Module or a function of tensors) for the shapes and dtypes of
    `example_inputs`. `pipeline` replaces the `ember-cpu` pipeline with any pipeline text
    (ember and upstream passes) that ends in the LLVM dialect. `isolate` (True/"passes", "full",
    False/"off"; default `EMBER_ISOLATE`, else True for a custom `pipeline` only) runs the passes
    ("full": and a trial of LLVM's code generation) in a child process, so that a native abort in
    MLIR/LLVM raises IsolatedCrashError instead of killing this process (see ember.isolation).
    `threads` > 1 runs independent tiles on that many cores (OpenMP threads); 1, the
    default, runs on the calling thread only."""
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise EmberError(f"threads must be a positive int (1: single-thread), got {threads!r}")
    captured = capture(model, example_inputs)
    context = new_context()
    module = _parse_linalg(captured, context)
    with context:
        # The FX importer names the entry point `main` (capture's func_name).
        main = next(op for op in module.body.operations if op.operation.name == "func.func"
                    and op.attributes["sym_name"].value == "main")
        main.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
    stages = {"torch": captured.torch_ir, "linalg": _elided(module)}
    lowering = cpu_stages(threads) if pipeline is None else [("llvm", pipeline)]
    module, snapshots = isolation.lower(
        module,
        [*lowering, ("checked", "builtin.module(ember-check-llvm-lowered)")],
        captured.name,
        _elided,
        mode=isolation.isolation_mode(isolate, custom_pipeline=pipeline is not None),
        opt_level=opt_level,
        jit_libs=jit_libraries(threads),
    )
    snapshots.pop("checked")
    stages.update(snapshots)
    executable = CpuExecutable(
        module,
        [s.shape for s in captured.inputs],
        [s.shape for s in captured.outputs],
        [s.dtype for s in captured.outputs],
        opt_level=opt_level,
        threads=threads,
    )
    return CompiledModule(captured, stages, executable)

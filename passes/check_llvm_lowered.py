"""ember-check-llvm-lowered: the last pass before the JIT.

Matches: any op left in the module that the LLVM IR translation cannot take, that is, an op
outside the `llvm` and `omp` dialects (the translation takes OpenMP ops, which threads > 1
leaves) other than the top-level `builtin.module` (custom pipelines that stop
early leave `func.func`, `memref.*` or `linalg.*` ops behind).
Produces: no change; a located error on each such op and a pass failure, so that the user sees
which op the pipeline did not lower instead of a bare ExecutionEngine failure.
"""

from mlir.ir import WalkOrder, WalkResult

from ember.passes.registry import EmberPass, PassFailure, register_pass


@register_pass
class CheckLlvmLowered(EmberPass):
    NAME = "ember-check-llvm-lowered"
    SUMMARY = "Fails with a located error on every op that is not in the LLVM or OpenMP dialect"

    max_errors: int = 3  # report at most this many ops

    def run(self, op) -> None:
        leftovers = []

        def visit(inner):
            name = inner.operation.name
            if inner.operation != op.operation and not name.startswith(("llvm.", "omp.")):
                leftovers.append(inner.operation)
                return WalkResult.SKIP
            return WalkResult.ADVANCE

        op.walk(visit, walk_order=WalkOrder.PRE_ORDER)
        for leftover in leftovers[: self.max_errors]:
            leftover.location.emit_error(
                f"'{leftover.name}' was not lowered to the LLVM dialect; the pipeline must end in "
                "LLVM-dialect IR for the JIT (builtin.module(ember-cpu) does)"
            )
        if leftovers:
            raise PassFailure()

"""ember's named pipelines. Each is a list of stages, named by the IR level they produce, so
that `CompiledModule.ir(stage)` can show the IR after each."""

from ember.passes.registry import register_pipeline

BUFFERIZE = (
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},"
    # Results become caller-allocated out-params: the runtime hands in torch tensors.
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
    "func.func(buffer-hoisting),"
    "buffer-deallocation-pipeline,"
    "convert-bufferization-to-memref,"
    # Intermediates: one static arena per function instead of a malloc per call.
    "ember-plan-memory"
)

LOWER_TO_LLVM = (
    "func.func(convert-linalg-to-loops),"
    # Unrolled, not staged through a stack buffer: an alloca inside a loop grows the stack per trip.
    "convert-vector-to-scf{full-unroll=true},"
    "convert-scf-to-cf,"
    "expand-strided-metadata,"
    "lower-affine,"
    "finalize-memref-to-llvm,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"  # what LLVM has no intrinsic for (erf, ...) becomes a libm call
    "convert-vector-to-llvm,"  # after math-to-libm, which unrolls vector math into vector.extract
    "convert-arith-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-ub-to-llvm,"  # the poison values that vectorization leaves
    "reconcile-unrealized-casts"
)


# Multi-core: the forall loops that ember-parallelize-tiles made become OpenMP worksharing loops
# (libiomp5 from the intel-openmp wheel), `threads` threads per loop.
# convert-scf-to-openmp wraps each loop body in a memref.alloca_scope, which must be lowered
# (finalize-memref-to-llvm) before convert-scf-to-cf splits the loops inside it into blocks.
def _openmp_lower_to_llvm(threads: int) -> str:
    return f"scf-forall-to-parallel,convert-scf-to-openmp{{num-threads={threads}}}," + (
        LOWER_TO_LLVM.replace("convert-scf-to-cf,", "")
        .replace("finalize-memref-to-llvm,", "finalize-memref-to-llvm,convert-scf-to-cf,")
        .replace("reconcile-unrealized-casts", "convert-openmp-to-llvm,reconcile-unrealized-casts")
    )


FUSE = ",".join([
    "ember-seal-buffer-islands",  # lowered tm_tensor loops, ready for One-Shot Bufferize
    "ember-fold-constants",  # weight-only work (transposes, batch-norm scales) happens once, here
    "ember-conv-channels-inner",
    "ember-fold-constants",  # the filter transposes that ember-conv-channels-inner made
    "func.func(linalg-generalize-named-ops)",
    "canonicalize",
    "ember-bool-to-byte",  # no i1 memref may reach finalize-memref-to-llvm (it aborts)
    "ember-erase-dead-results",
    "ember-expand-exp",
    "ember-expand-erf",
    "ember-fuse-groups",
])

# Each group becomes register/cache tiles of vector ops; then plain ops again for bufferization.
VECTORIZE = "ember-tile-and-vectorize,ember-dissolve-groups,canonicalize,cse"


def cpu_stages(threads: int = 1) -> list[tuple[str, str]]:
    """The stages of `ember-cpu`: (stage name, pipeline text). `threads` > 1 runs independent
    tiles on that many cores; 1 keeps every loop sequential."""
    parallel = threads > 1
    return [
        ("fused", FUSE),
        ("vectorized", VECTORIZE),
        ("bufferized", ("ember-parallelize-tiles," if parallel else "") + BUFFERIZE),
        ("llvm", _openmp_lower_to_llvm(threads) if parallel else LOWER_TO_LLVM),
    ]


@register_pipeline("ember-cpu", "Lowers linalg-on-tensors to LLVM-dialect IR for ember's CPU runtime")
def ember_cpu(threads: int = 1) -> str:
    return ",".join(text for _, text in cpu_stages(threads))

"""ember's named pipelines, built from named stages.

`ember-cpu` is its four stages in order; each stage is registered under its own name
(`ember-cpu-fuse`, ...) and runs alone in `ember-opt` on the previous stage's IR. A stage is
named by the IR level it produces (`fused`, ...), which is what `CompiledModule.ir(stage)` shows.
"""

from dataclasses import dataclass

from ember.passes import cpu_model
from ember.passes.registry import register_pipeline


def nest(anchor: str, *passes: str) -> str:
    """`anchor(pass,pass)`: passes run on every op of that kind."""
    return f"{anchor}({','.join(passes)})"


@dataclass(frozen=True)
class Stage:
    """One named stage: the IR level it produces, its registered pipeline name, its passes."""

    level: str
    pipeline: str
    passes: tuple  # pipeline text, or a function of the target machine's CpuModel that makes it

    @property
    def text(self) -> str:
        """The stage's pipeline for this host."""
        return ",".join(p(cpu_model.host()) if callable(p) else p for p in self.passes)


def tile_and_vectorize(cpu: cpu_model.CpuModel) -> str:
    return f"ember-tile-and-vectorize{{{cpu.options}}}"


def limit_unrolling(cpu: cpu_model.CpuModel) -> str:
    return f"ember-limit-unrolling{{vector-bits={cpu.vector_bits}}}"


# The fused stage's passes that hold for every target: the model's checks, constants, fused
# elementwise chains and the math that no target lowers as it stands.
PREPARE = (
    "ember-caller-seed",  # random ops draw from a seed the caller passes per call, not a global of the code
    "ember-check-indices",  # x[idx], gather, ...: an index out of range is an error, not a stray read
    "ember-safe-integer-division",  # a zero divisor is an error, not SIGFPE
    "ember-seal-buffer-islands",  # lowered tm_tensor loops, ready for One-Shot Bufferize
    "ember-fold-constants",  # weight-only work (transposes, batch-norm scales) happens once, here
    "ember-fuse-elementwise",  # elementwise chains as one op: one loop nest, no intermediate tensors
)
EXPAND = (
    nest("func.func", "linalg-generalize-named-ops"),
    "ember-fuse-elementwise{weight-copies=1}",  # weights broadcast to a batch matmul: read, not copied
    "canonicalize",
    "ember-bool-to-byte",  # no i1 memref may reach finalize-memref-to-llvm (it aborts)
    "ember-erase-dead-results",
    "ember-expand-log1p-expm1",  # before ember-expand-exp, which expands the exp it makes
    "ember-expand-exp",
    "ember-expand-erf",
    "ember-widen-reductions",  # f16/bf16 sums accumulate in f32, as eager's do
    "ember-split-reductions",  # long sums in levels: error ~sqrt(n), not n
)
# The CPU's data layout: convolutions whose output channels are the vector dim.
CPU_LAYOUT = (
    "ember-pointwise-conv-as-matmul",  # 1x1 convolutions over images of whole vectors: a matmul over H*W
    "ember-conv-channels-inner",  # the other convolutions: output channels are the vector dim
    "ember-fold-constants",  # the filter transposes that ember-conv-channels-inner made
)

FUSE = Stage("fused", "ember-cpu-fuse", (
    *PREPARE, *CPU_LAYOUT, *EXPAND,
    "ember-pad-weight-rows",  # weight rows an odd number of cache lines apart: no cache-set conflicts
    "ember-fuse-groups",
))

# Each group becomes register/cache tiles of vector ops; then plain ops again for bufferization;
# disjoint tiles of large nests become scf.forall (run on the context's threads).
VECTORIZE = Stage("vectorized", "ember-cpu-vectorize", (
    "ember-pad-to-copy",  # padded convolution inputs: a vectorized copy in place, not a runtime call
    tile_and_vectorize,  # for the host's SIMD width and register count
    "ember-dissolve-groups",
    "canonicalize",
    "cse",
    "ember-parallelize-tiles",
))

ONE_SHOT_BUFFERIZE = (
    "ember-distinct-results",  # one out-param per result: no value returned twice
    # again: canonicalize and cse have merged the buffer islands' reads of one tensor into one,
    # at the first island, which would let an op between them write into the tensor's buffer
    "ember-seal-buffer-islands",
    # allow-return-allocs-from-loops: a while_loop's body yields new tensors, not its carries'
    # buffers (scf.while from torch.while_loop); tiled loops yield their carries either way
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map"
    " allow-return-allocs-from-loops}",
)

BUFFERIZE = Stage("bufferized", "ember-cpu-bufferize", (
    *ONE_SHOT_BUFFERIZE,
    # scf.for iter_args that only forward their buffer fold away, so that a result is its
    # alloc again and the next pass hoists it to the caller's buffer instead of copying into it.
    "canonicalize",
    "cse",
    # Results become caller-allocated out-params: the runtime hands in its output buffers.
    "buffer-results-to-out-params{hoist-static-allocs hoist-dynamic-allocs modify-public-functions}",
    nest("func.func", "buffer-hoisting"),
    "buffer-deallocation-pipeline",
    # again: the ownership flags of its runtime helper (a branch's result that may alias buffers
    # from above, torch.cond) are i1 buffers
    "ember-bool-to-byte",
    "ember-vectorize-copies",  # strided copies (a padded input's interior): vector rows, not a runtime call
    "convert-bufferization-to-memref",
    "ember-entry-point",  # the ABI: (inputs, outputs, arena, threads) -> status
    "ember-runtime-checks",  # failed checks: an error status, not an abort
    "ember-plan-memory",  # intermediates: the context's arena instead of a malloc per call
    "ember-outline-kernels",  # loop nests as functions; a layer repeated is compiled once
))

# Parallel loops become OpenMP worksharing loops (ember.runtime.openmp: torch's libgomp, else libiomp5) on as
# many threads as the entry's caller asks for (ember-entry-point). convert-scf-to-openmp wraps
# each loop body in a memref.alloca_scope, which must be lowered (finalize-memref-to-llvm) before
# convert-scf-to-cf splits the loops inside it into blocks.
LOWER = Stage("llvm", "ember-cpu-lower", (
    "scf-forall-to-parallel",
    "convert-scf-to-openmp",
    nest("func.func", "convert-linalg-to-loops"),
    # Unrolled, not staged through a stack buffer: an alloca inside a loop grows the stack per trip.
    "convert-vector-to-scf{full-unroll=true}",
    "expand-strided-metadata",
    "lower-affine",
    # allocations call ember's (runtime/alloc_cache.c): freed blocks are reused, not unmapped
    "finalize-memref-to-llvm{use-generic-functions}",
    limit_unrolling,  # wide vector bodies: LLVM's unroller would make blocks its schedulers choke on
    "convert-scf-to-cf",
    "math-expand-ops{ops=fpowi}",  # x ** n: multiplications (constant n) or powf; LLVM's powi takes no vectors
    "convert-math-to-llvm",
    "convert-math-to-libm",  # what LLVM has no intrinsic for (erf, ...) becomes a libm call
    "convert-vector-to-llvm",  # after math-to-libm, which unrolls vector math into vector.extract
    "convert-arith-to-llvm",
    "convert-func-to-llvm",
    "convert-cf-to-llvm",
    "convert-ub-to-llvm",  # the poison values that vectorization leaves
    "convert-openmp-to-llvm",
    "reconcile-unrealized-casts",
    "ember-weights-as-bytes",  # weights as byte arrays: LLVM emits them with one copy
))

CPU_STAGES = (FUSE, VECTORIZE, BUFFERIZE, LOWER)

# ember-cuda. Every buffer is device memory: the host names buffers and launches kernels, no
# more; the status slot is in the arena, where kernels write it. Each top-level loop nest of
# the bufferized model is one kernel (its elementwise chain already fused into it).
CUDA_FUSE = Stage("fused", "ember-cuda-fuse", (*PREPARE, *EXPAND))
CUDA_MAP = Stage("mapped", "ember-cuda-map", (
    *ONE_SHOT_BUFFERIZE,
    "canonicalize",
    "cse",
    "buffer-results-to-out-params{hoist-static-allocs modify-public-functions}",
    "convert-bufferization-to-memref",
    "ember-entry-point{status-in-arena=1}",
    "ember-runtime-checks",
    "ember-parallel-dims-outer",  # every parallel dim in the kernel's grid, reductions in its threads
    nest("func.func", "convert-linalg-to-parallel-loops"),
    "ember-gpu-host-kernels",  # what is left on the host (copies, loops of sorts) runs as kernels too
    "ember-gpu-fuse-loops",  # a matmul's fill and epilogue, split elementwise chains: one kernel
    "ember-plan-memory",  # after fusion: buffers that share arena bytes must not meet in one loop
    "ember-gpu-tile-contractions",  # matmuls and convolutions: output tiles, operands staged in shared memory
    "ember-gpu-reductions",  # accumulators in registers; few long sums as a tree in shared memory
    "ember-gpu-map-loops",  # innermost dim on thread x: coalesced
    "convert-parallel-loops-to-gpu",
    "ember-gpu-workgroup-memory",
    "canonicalize",
    "ember-gpu-sink-scalars",  # scalars are computed in the kernels: the host passes buffers (and the seed)
    "gpu-kernel-outlining",
    "canonicalize",
))
# The kernels run on the host, as loops over blocks and threads (ember-emulate-gpu), then
# through the CPU's lowering: the `cuda-emulated` target, a debugging mode without a GPU.
CUDA_EMULATE = Stage("emulated", "ember-cuda-emulate", ("ember-emulate-gpu",))
DEFAULT_CHIP = "sm_80"


def cuda_ptx(chip: str = DEFAULT_CHIP) -> str:
    """The kernels to PTX for `chip`, in this process (LLVM's NVPTX backend; no ptxas): each
    gpu.module becomes a gpu.binary whose object is PTX text. libdevice (math functions) comes
    from the nvidia-cuda-nvcc wheel where it is installed."""
    from ember.runtime.cuda_toolkit import toolkit_path

    toolkit = toolkit_path()
    return ",".join((
        f"nvvm-attach-target{{chip={chip}}}",
        nest("gpu.module", "lower-affine", "convert-scf-to-cf", "convert-gpu-to-nvvm"),
        "reconcile-unrealized-casts",
        "gpu-module-to-binary{format=isa" + (f" toolkit={toolkit}" if toolkit else "") + "}",
    ))


def cuda_stages(chip: str = DEFAULT_CHIP) -> list[tuple[str, str]]:
    """The stages of `ember-cuda`: (IR level, pipeline text)."""
    return [(CUDA_FUSE.level, CUDA_FUSE.text), (CUDA_MAP.level, CUDA_MAP.text), ("ptx", cuda_ptx(chip))]


def cuda_emulated_stages() -> list[tuple[str, str]]:
    """The stages of `ember-cuda-emulated`: ember-cuda's up to the mapped kernels, then the host."""
    return [(stage.level, stage.text) for stage in (CUDA_FUSE, CUDA_MAP, CUDA_EMULATE, LOWER)]


def cpu_stages() -> list[tuple[str, str]]:
    """The stages of `ember-cpu`: (IR level, pipeline text)."""
    return [(stage.level, stage.text) for stage in CPU_STAGES]


def _register(stage: Stage, pipeline: str) -> None:
    def build() -> str:
        return stage.text

    register_pipeline(stage.pipeline, f"{pipeline}'s stage that produces the '{stage.level}' IR")(build)


for _stage in CPU_STAGES:
    _register(_stage, "ember-cpu")
for _stage in (CUDA_FUSE, CUDA_MAP, CUDA_EMULATE):
    _register(_stage, "ember-cuda")


@register_pipeline("ember-cpu", "Lowers linalg-on-tensors to LLVM-dialect IR for ember's CPU runtime")
def ember_cpu() -> str:
    return ",".join(stage.pipeline for stage in CPU_STAGES)


@register_pipeline("ember-cuda-ptx", "ember-cuda's stage that produces the 'ptx' IR (gpu.binary of PTX)")
def ember_cuda_ptx(chip: str = DEFAULT_CHIP) -> str:
    return cuda_ptx(chip)


@register_pipeline("ember-cuda", "Lowers linalg-on-tensors to GPU kernels as PTX and the host's launches")
def ember_cuda(chip: str = DEFAULT_CHIP) -> str:
    return f"ember-cuda-fuse,ember-cuda-map,ember-cuda-ptx{{chip={chip}}}"


@register_pipeline("ember-cuda-emulated", "ember-cuda's kernels, after mapping, as host loops, lowered for the CPU")
def ember_cuda_emulated() -> str:
    return ",".join(stage.pipeline for stage in (CUDA_FUSE, CUDA_MAP, CUDA_EMULATE, LOWER))

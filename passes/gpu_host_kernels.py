"""`ember-gpu-host-kernels`: no memory access is left on the host of a device target.

On a GPU target every buffer the entry touches (inputs, outputs, weights, the arena) is device
memory, so the host may only name buffers and launch kernels. Matches the ops in the top-level
block of each function that read or write memory and are not parallel loops (what
`convert-linalg-to-parallel-loops` leaves: `memref.copy`, the status slot's stores, loops of
lowered sorts and scans, ...) and produces

- for a `memref.copy` of static shape: a parallel loop of loads and stores over its shape;
- for any other: the op inside a one-trip `scf.parallel`, a kernel of one thread (correct, and
  slow: each is logged with `EMBER_LOG=info`, and counted).

An op whose results the host uses stays on the host, logged: a device target's runtime refuses
it by name (ember.runtime.cuda_plan).

Fails, with a located error, on a branch or loop of the model (torch.cond, while_loop) that
touches memory: its condition is in device memory, and device targets do not compile it yet.

Left on the host: ops that only make or name buffers (`memref.view`, `get_global`, `alloc`,
`subview`, reshapes, ...), scalar arithmetic, and the load of the status slot whose value the
function returns (the runtime reads it; see ember-entry-point's `status-in-arena`).
"""

import logging

from mlir import ir
from mlir.dialects import memref

from ember.passes.gpu_loops import parallel, top_level_ops
from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.runtime_checks import CHECK_BRANCH
from ember.passes.walk import collect_ops

_log = logging.getLogger("ember")
# Ops that make, name or release a buffer without reading or writing its elements.
_NAMING = {"memref.view", "memref.get_global", "memref.alloc", "memref.alloca", "memref.dealloc",
           "memref.subview", "memref.expand_shape", "memref.collapse_shape", "memref.cast",
           "memref.reinterpret_cast", "memref.dim", "memref.extract_strided_metadata",
           "memref.assume_alignment"}
_KEPT = {"scf.parallel", "func.return", "gpu.launch", "gpu.launch_func"} | _NAMING


def _touches_memory(op: ir.Operation) -> bool:
    def accesses(o):
        return o.name not in _NAMING and any(isinstance(v.type, ir.MemRefType) for v in o.operands)

    return bool(collect_ops(op, accesses))


def _returned_only(op: ir.Operation) -> bool:
    return len(op.results) == 1 and all(use.owner.name == "func.return" for use in op.results[0].uses)


def _copy_loop(copy) -> bool:
    source, target = copy.operands[0], copy.operands[1]
    shape = source.type.shape
    if not ir.MemRefType(source.type).has_static_shape or not shape:
        return False
    with ir.InsertionPoint(copy), copy.location:
        loop = parallel(shape)
        body = loop.region.blocks[0]
        with ir.InsertionPoint.at_block_begin(body):
            value = memref.LoadOp(source, list(body.arguments)).result
            memref.StoreOp(value, target, list(body.arguments))
    copy.operation.erase()
    return True


def _model_control_flow(op: ir.Operation) -> bool:
    """A loop or branch of the model's own (torch.cond, while_loop); not the branch of a failed
    runtime check (ember-runtime-checks marks it), which only writes the status slot."""
    return op.name in ("scf.if", "scf.while") and CHECK_BRANCH not in op.attributes


def _one_thread(op) -> None:
    with ir.InsertionPoint(op), op.location:
        loop = parallel([1])
    op.operation.move_before(loop.region.blocks[0].operations[0])


@register_pass
class GpuHostKernels(EmberPass):
    NAME = "ember-gpu-host-kernels"
    SUMMARY = "Puts every memory access left on the host into a kernel (copies as parallel loops)"

    def run(self, op) -> None:
        serial = 0
        for child in top_level_ops(op):
            name = child.operation.name
            if name in _KEPT or not _touches_memory(child.operation):
                continue
            if name == "memref.load" and _returned_only(child.operation):
                continue
            if name == "memref.copy" and _copy_loop(child):
                continue
            if _model_control_flow(child.operation):
                child.location.emit_error(
                    f"{name} (torch.cond or torch.while_loop): the device targets do not"
                    " compile control flow yet (its condition is in device memory, which the host does"
                    " not read); compile it for target='cpu'")
                raise PassFailure(name)
            if any(len(list(r.uses)) for r in child.results):
                _log.info("ember-gpu-host-kernels: %s left on the host, which uses its results, at %s",
                          name, child.location)
                continue
            _log.info("ember-gpu-host-kernels: %s runs as a kernel of one thread, at %s", name, child.location)
            serial += 1
            _one_thread(child)
        if serial:
            _log.info("ember-gpu-host-kernels: %d kernels of one thread", serial)

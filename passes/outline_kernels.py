"""ember-outline-kernels: each loop nest of the entry becomes a function of its own, and loop
nests that are the same code become one function, called once per use.

Matches the top-level loops (`scf.for`, `scf.forall`, `scf.parallel`) of the entry function
(`ember.entry`, made by ember-entry-point) on buffers, after memory planning: the kernels that
tiling and vectorization made, one per loop nest. Produces, for each, a `func.call` of a private
`func.func @<entry>_kernel_<n>` that holds the loop nest. The kernel's arguments are the values
it uses from the entry (its buffers and arena views, the weights' globals, dynamic sizes, the
status slot), in order of first use; the constants it uses (and the globals that hold a single
value) are cloned in, so that the same code prints the same wherever it sits and LLVM sees their
values. A loop's results (a vector accumulator that the straight-line epilogue after it reads)
are the kernel's results.

Kernels whose functions print the same (locations aside) are one function: the layers of a
ResNet stage or an encoder stack, which differ only in their weights and buffers, are compiled
once by LLVM instead of once per layer (compile time and code size; the pass counts kernels and
calls in the `ember` log). Buffers reach a kernel through its arguments, never as `llvm.noalias`:
two arguments may be views of one buffer.
"""

import logging

from mlir import ir
from mlir.dialects import func

from ember.passes.entry_point import ENTRY
from ember.passes.registry import EmberPass, register_pass

log = logging.getLogger("ember")
LOOPS = {"scf.for", "scf.forall", "scf.parallel"}
# Ops with no operands that only make a value: cloned into each kernel that uses them.
CLONED = {"arith.constant", "ub.poison", "llvm.mlir.constant", "llvm.mlir.zero", "llvm.mlir.undef"}


def _inside(loop: ir.Operation) -> tuple[list, set]:
    """The ops nested in `loop` (itself included) and the blocks of their regions."""
    ops, blocks = [], set()

    def visit(op):
        ops.append(op.operation)
        for region in op.regions:
            for block in region.blocks:
                blocks.add(block)
        return ir.WalkResult.ADVANCE

    loop.walk(visit)
    return ops, blocks


def _captures(loop: ir.Operation, ops: list, blocks: set) -> list[ir.Value]:
    """The values defined outside `loop` that it uses, in order of first use (pre-order)."""
    ops, seen, captured = set(ops), set(), []

    def visit(op):
        for value in op.operands:
            owner = value.owner
            inner = owner in blocks if isinstance(owner, ir.Block) else owner.operation in ops
            if not inner and value not in seen:
                seen.add(value)
                captured.append(value)
        return ir.WalkResult.ADVANCE

    loop.walk(visit, ir.WalkOrder.PRE_ORDER)
    return captured


def _splat_globals(module_block: ir.Block) -> set[str]:
    """The constant globals that hold one value (a splat): cloned into the kernels that read them,
    so that LLVM sees the value (a scalar tile's constants fold; passed as a pointer they stopped
    a tanh epilogue from vectorizing: a conv + tanh took 3.6 ms against 1.6)."""
    found = set()
    for op in module_block.operations:
        if op.operation.name == "memref.global" and "constant" in op.attributes:
            value = op.attributes["initial_value"] if "initial_value" in op.attributes else None
            if isinstance(value, ir.DenseElementsAttr) and value.is_splat:
                found.add(op.attributes["sym_name"].value)
    return found


def _is_cloned(value: ir.Value, splats: set[str]) -> bool:
    owner = value.owner
    if isinstance(owner, ir.Block):
        return False
    if owner.operation.name == "memref.get_global":
        return owner.operation.attributes["name"].value in splats
    return owner.operation.name in CLONED


@register_pass
class OutlineKernels(EmberPass):
    """Loop nests of the entry as private functions; identical ones shared."""

    NAME = "ember-outline-kernels"
    SUMMARY = "Outlines the entry's loop nests into kernel functions; identical kernels become one"

    def run(self, op) -> None:
        module_block = op.regions[0].blocks[0]
        for entry in [f for f in module_block.operations if f.operation.name == "func.func" and ENTRY in f.attributes]:
            self._outline(module_block, entry)

    def _outline(self, module_block: ir.Block, entry) -> None:
        name = entry.attributes["sym_name"].value
        kernels: dict[str, str] = {}  # printed function -> its name
        splats = _splat_globals(module_block)
        loops = [o.operation for o in entry.regions[0].blocks[0].operations if o.operation.name in LOOPS]
        for loop in loops:
            ops, blocks = _inside(loop)
            captured = _captures(loop, ops, blocks)
            arguments = [v for v in captured if not _is_cloned(v, splats)]
            with loop.location, ir.InsertionPoint(loop):
                call = func.CallOp([r.type for r in loop.results], ir.FlatSymbolRefAttr.get("ember_kernel"), arguments)
            for old, new in zip(loop.results, call.results):
                old.replace_all_uses_with(new)
            with loop.location, ir.InsertionPoint(module_block):
                kernel = func.FuncOp("ember_kernel", ([a.type for a in arguments], [r.type for r in loop.results]),
                                     visibility="private")
            body = kernel.add_entry_block(arg_locs=[loop.location] * len(arguments))
            replacements = dict(zip(arguments, body.arguments))
            start = ir.InsertionPoint.at_block_begin(body)
            for value in captured:
                if value not in replacements:
                    replacements[value] = value.owner.operation.clone(ip=start).results[0]
            for inner in ops:
                for index, value in enumerate(inner.operands):
                    if value in replacements:
                        inner.operands[index] = replacements[value]
            body.append(loop)
            with loop.location, ir.InsertionPoint(body):
                func.ReturnOp(list(loop.results))
            key = kernel.operation.get_asm(enable_debug_info=False, use_local_scope=True)
            if key in kernels:
                kernel.operation.erase()
            else:
                kernels[key] = f"{name}_kernel_{len(kernels)}"
                kernel.attributes["sym_name"] = ir.StringAttr.get(kernels[key])
                # Internal and never inlined: each kernel is compiled once, however many calls it has.
                kernel.attributes["llvm.linkage"] = ir.Attribute.parse("#llvm.linkage<internal>")
                kernel.attributes["passthrough"] = ir.Attribute.parse("[\"noinline\"]")
            call.attributes["callee"] = ir.FlatSymbolRefAttr.get(kernels[key])
        log.info("ember-outline-kernels: %s: %d loop nests, %d kernels", name, len(loops), len(kernels))

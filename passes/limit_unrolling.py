"""ember-limit-unrolling: loops whose body already moves many vector registers are not unrolled
again by LLVM.

Matches `scf.for` loops (before convert-scf-to-cf) whose body, not counting nested loops, works
on more than `max-registers` vector registers of `vector-bits` each (every vector result counts
its registers, a store counts the vector it writes). Produces the loop with a `loop_annotation`
attribute `#llvm.loop_annotation<unroll = #llvm.loop_unroll<disable = true>>`, which
convert-scf-to-cf puts on the loop's back edge and the translation to LLVM IR emits as
`llvm.loop.unroll.disable`. Why: LLVM's unroller costs an operation on a `<768 x double>` as one
instruction, so it unrolled a row loop of BERT-base's LayerNorm 8 times into one block of
~4,000 AVX2 instructions, and its schedulers, quadratic in a block's memory operations, took
44 of the model's 55 s of code generation. A body of 64 registers of work gains nothing from
more unrolling. Loops it leaves alone (small bodies: the register-blocked matmul's reduction
step) are counted in the log.
"""

import logging

from mlir import ir

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import ops_named

log = logging.getLogger("ember")

NO_UNROLL = "#llvm.loop_annotation<unroll = #llvm.loop_unroll<disable = true>>"


def _registers(value_type: ir.Type, vector_bits: int) -> int:
    if not isinstance(value_type, ir.VectorType):
        return 0
    vector = ir.VectorType(value_type)
    elements = 1
    for extent in vector.shape:
        elements *= extent
    return -(-elements * getattr(vector.element_type, "width", 64) // vector_bits)


def body_registers(block: ir.Block, vector_bits: int) -> int:
    """The vector registers that one pass through `block` works on, nested loops left out (an
    scf.if's ops count: they run in this trip)."""
    total = 0
    for op in block.operations:
        if op.name == "scf.for":
            continue
        values = op.results if len(op.results) else op.operands  # a store: the vector it writes
        total += sum(_registers(v.type, vector_bits) for v in values)
        total += sum(body_registers(inner, vector_bits) for region in op.regions for inner in region.blocks)
    return total


@register_pass
class LimitUnrolling(EmberPass):
    NAME = "ember-limit-unrolling"
    SUMMARY = "Marks scf.for loops with wide vector bodies so that LLVM does not unroll them again"

    vector_bits: int = 512  # the target's SIMD register width (the CPU target passes its host's)
    max_registers: int = 64  # a body that works on more registers than this is not unrolled

    def run(self, op) -> None:
        marked = kept = 0
        with op.context:
            no_unroll = ir.Attribute.parse(NO_UNROLL)
        for loop in ops_named(op, "scf.for"):
            if body_registers(loop.regions[0].blocks[0], self.vector_bits) > self.max_registers:
                loop.attributes["loop_annotation"] = no_unroll
                marked += 1
            else:
                kept += 1
        log.info("ember-limit-unrolling: %d loops kept from LLVM's unroller, %d left to it", marked, kept)

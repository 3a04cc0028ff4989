"""ember-distinct-results: every result of a public function is a tensor of its own.

Matches `func.return`s of public functions that return one value twice (`y = x + 1; return y,
y`; an in-place op whose result is also the new value of a mutated input) or return a function
argument, and produces a copy (`tensor.empty` + `linalg.copy`) for each such result after the
first. Why: `buffer-results-to-out-params` gives each result its own out-param and crashed
(SIGSEGV) on a value returned twice; an input returned as is must be copied into its out-param.
"""

from mlir import ir
from mlir.dialects import linalg, tensor

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import collect_ops


def _copy(value: ir.Value, before: ir.Operation) -> ir.Value:
    with ir.InsertionPoint(before), before.location:
        empty = tensor.EmptyOp(value.type.shape, value.type.element_type).result
        return linalg.copy(value, outs=[empty])


@register_pass
class DistinctResults(EmberPass):
    NAME = "ember-distinct-results"
    SUMMARY = "Copies results that a public function returns twice or passes through from its arguments"

    def run(self, op):
        for function in op.regions[0].blocks[0].operations:
            if function.operation.name != "func.func" or "sym_visibility" in function.attributes:
                continue
            for ret in collect_ops(function.operation, lambda o: o.name == "func.return"):
                seen = set()
                for index, value in enumerate(ret.operands):
                    if not isinstance(value.type, ir.RankedTensorType):
                        continue
                    argument = isinstance(value, ir.BlockArgument) and value.owner.owner == function.operation
                    if value in seen or argument:
                        ret.operands[index] = _copy(value, ret)
                    seen.add(value)

"""torch.cond and torch.while_loop imported as structured control flow, inside one module.

torch-mlir 20261001's FX importer has no `cond` handler ("Higher-order operation 'cond' not
implemented"), and its `while_loop` handler passes the loop's additional inputs (what the
condition and body read but do not carry) as carries, which the torch backend pipeline rejects
("region branch point has 3 operands, but region successor needs 2 inputs"). These handlers
replace both; the branch and body graphs are the private functions the importer makes of the
program's child modules, called from the regions and inlined before lowering:

- `cond(pred, true_fn, false_fn, operands)`: `torch.prim.If` on the predicate, each region one
  call of its branch. torch-mlir's TorchToSCF makes it an `scf.if`: the branch not taken does
  not run (its index checks, its division by zero, its cost).
- `while_loop(cond_fn, body_fn, carried, additional)`: `torch.prim.Loop` in its while form
  (trip count INT64_MAX, the condition computed before the first trip and after each), whose
  region carries `carried` and reads `additional` from above. TorchToSCF makes it an
  `scf.while`; a condition false at the start runs no trip.

Only the carried values are the loop's results, as torch's while_loop returns them.
"""

from torch_mlir.extras.fx_importer import GraphNodeImporter
from torch_mlir.ir import (Block, FlatSymbolRefAttr, FunctionType, InsertionPoint, IntegerAttr, IntegerType,
                            Operation, TypeAttr)

_INT64_MAX = 2**63 - 1


class ControlFlowImporter(GraphNodeImporter):
    """torch-mlir's node importer, with ember's `cond` and `while_loop` handlers."""

    def _function(self, node) -> str:
        """The private function that the importer made of the child module `node` reads."""
        module = getattr(node.graph.owning_module, node.target)
        return self.fx_importer._graph_module_to_func_name[id(module)]

    def _values(self, loc, args) -> list:
        return [self._import_argument(loc, a) for a in args]

    def _result_types(self, node) -> list:
        return [self._cc.value_info_to_type(v) for v in node.meta["val"]]

    def _bind_results(self, node, results) -> None:
        self._multi_result_nodes.add(node)  # read through getitem, as torch returns a tuple
        for i, value in enumerate(results):
            self.bind_node_value(node, value, i)

    def _call(self, loc, function: str, operands: list):
        """A call of `function`, typed as the importer typed the function (a condition may
        return a bool tensor or a SymBool's `!torch.bool`)."""
        callee = FunctionType(TypeAttr(self.fx_importer.symbol_table[function].attributes["function_type"]).value)
        return Operation.create("func.call", attributes={"callee": FlatSymbolRefAttr.get(function)},
                                results=list(callee.results), operands=operands, loc=loc).results

    def _bool(self, loc, value):
        """A `!torch.bool` of `value`: a 0-d bool tensor, or a bool already (a SymBool's)."""
        if str(value.type) == "!torch.bool":
            return value
        return Operation.create("torch.aten.Bool.Tensor", results=[self._cc.torch_bool_type],
                                operands=[value], loc=loc).result

    def _import_hop_cond(self, loc, node, hop) -> None:
        predicate, true_fn, false_fn, operands = node.args
        flag = self._bool(loc, self._import_argument(loc, predicate))
        values = self._values(loc, operands)
        types = self._result_types(node)
        branch = Operation.create("torch.prim.If", results=types, operands=[flag], regions=2, loc=loc)
        for region, graph in zip(branch.regions, (true_fn, false_fn)):
            with InsertionPoint(Block.create_at_start(region, [])):
                results = self._call(loc, self._function(graph), values)
                Operation.create("torch.prim.If.yield", results=[], operands=list(results), loc=loc)
        self._bind_results(node, branch.results)

    def _import_hop_while_loop(self, loc, node, hop) -> None:
        cond_fn, body_fn, carried, additional = node.args
        condition, body = self._function(cond_fn), self._function(body_fn)
        initial, read = self._values(loc, carried), self._values(loc, additional)
        types = self._result_types(node)
        first = self._bool(loc, self._call(loc, condition, initial + read)[0])
        with loc:
            trips = Operation.create("torch.constant.int", results=[self._cc.torch_int_type],
                                     attributes={"value": IntegerAttr.get(IntegerType.get_signless(64), _INT64_MAX)}).result
        loop = Operation.create("torch.prim.Loop", results=types, operands=[trips, first] + initial, regions=1, loc=loc)
        with loc:
            block = Block.create_at_start(loop.regions[0], [self._cc.torch_int_type] + types)
        with InsertionPoint(block):
            state = list(self._call(loc, body, list(block.arguments[1:]) + read))
            again = self._bool(loc, self._call(loc, condition, state + read)[0])
            Operation.create("torch.prim.Loop.condition", results=[], operands=[again] + state, loc=loc)
        self._bind_results(node, loop.results)

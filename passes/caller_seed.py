"""`ember-caller-seed`: random ops draw from the caller's seed, not from a global of the code.

Matches the `ml_program.global @global_seed` through which torch-mlir threads the state of its
random ops: every `aten.uniform` (into which the capture turns each random op, see
ember.frontend.random_ops) loads the seed, takes the next state of a 64-bit LCG, stores it back
and keys a counter-based generator (Squares; the counter is the element's index) with it.
Left as it is, that state is a mutable global of the native code: it starts at 0 in every
process and in every compiled module (the same numbers whatever `torch.manual_seed` says), and
two threads that call at once race on it (both may draw the same numbers).

Produces an `i64` argument `{ember.seed}` after the entry's inputs (the function is marked
`ember.seeded`): the first load of the seed reads it, each later load reads what the store
before it wrote, and the loads, the stores and the global are erased. The caller passes a fresh
seed on every call (ember's runtime draws it from torch's default generator, the C export from
its context), so the compiled code keeps no state of its own, calls from several threads draw
independent numbers, and `torch.manual_seed` makes a compiled model's draws reproducible.

Fails, with a located error, on a load or store of the seed outside the entry's body (in a
nested region, or in another function), where the order of the ops would not be the order of
the draws. A module without the global is left untouched.
"""

from mlir import ir
from mlir.dialects import tensor

from ember.passes.entry_point import entry_function
from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.walk import collect_ops

SEED_GLOBAL = "global_seed"  # torch-mlir's name for it
SEED = "ember.seed"  # the argument
SEEDED = "ember.seeded"  # the entry that takes one
_ACCESSES = {"ml_program.global_load", "ml_program.global_store"}


def _seed_global(module_op) -> ir.Operation | None:
    for op in module_op.regions[0].blocks[0].operations:
        if op.operation.name == "ml_program.global" and op.attributes["sym_name"].value == SEED_GLOBAL:
            return op
    return None


def _accesses(module_op) -> list[ir.Operation]:
    """The loads and stores of the seed, in the order of the IR."""
    return collect_ops(
        module_op,
        lambda o: o.name in _ACCESSES and ir.FlatSymbolRefAttr(o.attributes["global"]).value == SEED_GLOBAL,
        ir.WalkOrder.PRE_ORDER,
    )


def _add_seed_argument(function) -> ir.Value:
    block = function.regions[0].blocks[0]
    i64 = ir.IntegerType.get_signless(64)
    seed = block.add_argument(i64, function.location)
    old = function.type
    function.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get([*old.inputs, i64], old.results))
    previous = list(function.attributes["arg_attrs"]) if "arg_attrs" in function.attributes else []
    previous += [ir.DictAttr.get({})] * (len(old.inputs) - len(previous))
    function.attributes["arg_attrs"] = ir.ArrayAttr.get([*previous, ir.DictAttr.get({SEED: ir.UnitAttr.get()})])
    function.attributes[SEEDED] = ir.UnitAttr.get()
    return seed


@register_pass
class CallerSeed(EmberPass):
    """torch-mlir's global RNG state becomes a per-call seed argument of the entry."""

    NAME = "ember-caller-seed"
    SUMMARY = "Makes the random ops' global seed an argument of the entry, given by the caller on each call"

    entry: str = ""

    def run(self, op) -> None:
        seed_global = _seed_global(op)
        if seed_global is None:
            return
        function = self._find(op)
        block = function.regions[0].blocks[0]
        accesses = _accesses(op)
        for access in accesses:
            if access.operation.block != block:
                access.location.emit_error(
                    f"ember-caller-seed: the seed of a random op is read or written outside the body of"
                    f" @{function.attributes['sym_name'].value}; ember orders draws by the entry's ops"
                )
                raise PassFailure()
        with function.location:
            seed = _add_seed_argument(function)
            with ir.InsertionPoint.at_block_begin(block):
                current = tensor.FromElementsOp(ir.RankedTensorType.get([], seed.type), [seed]).result
        for access in accesses:
            if access.operation.name == "ml_program.global_load":
                access.results[0].replace_all_uses_with(current)
            else:
                current = access.operands[0]
            access.operation.erase()
        seed_global.operation.erase()

    def _find(self, module_op):
        name = self.entry or "main"
        function = entry_function(module_op, name)
        if function is None and not self.entry:
            public = [f for f in module_op.regions[0].blocks[0].operations if f.operation.name == "func.func"
                      and f.regions[0].blocks and "sym_visibility" not in f.attributes]
            function = public[0] if len(public) == 1 else None
        if function is None:
            module_op.location.emit_error(
                f"ember-caller-seed: the module keeps a random seed (@{SEED_GLOBAL}) but has no @{name} (nor one"
                " public function) to take it as an argument; name the entry with ember-caller-seed{entry=NAME}"
            )
            raise PassFailure()
        return function

"""ember-runtime-checks: a failed runtime check reports an error status instead of aborting.

Matches every `cf.assert` in the entry function that `ember-entry-point` made (torch-mlir's own
checks, such as embedding's and gather's index bounds, and ember's, such as integer division by
zero) and produces, in its place, a store of the check's error code into the entry's status
slot when the condition is false and no earlier check failed (`scf.if`). The call goes on and
the caller raises the error afterwards, discarding the outputs. So that going on is safe, the
checked value of a bounds check `cmpi(v, bound)` is replaced, for every other use, by
`select(cond, v, 0)`: a load or store through an index out of range reads or writes element 0
instead of stray memory.

Each distinct check gets a code k > 0; the entry's `ember.errors` attribute lists them,
`ember.errors[k - 1]` = "ExceptionClass: message at the user's source line". Which exception
class eager raises for which check is the table `CHECKS`, the one place that maps torch-mlir's
assert messages; checks that eager does not make are removed (reciprocal's "tensor with zero
element": eager gives inf). A message not in the table is reported as a RuntimeError.
Functions other than the entry keep their asserts (counted in the remark below).
"""

from mlir import ir
from mlir.dialects import arith, memref, scf

from ember.passes.entry_point import ENTRY, STATUS
from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.walk import ancestor_in, collect_ops

CHECK_BRANCH = "ember.check_branch"  # marks the branch that stores a failed check's status

# torch-mlir's assert message → (the exception eager raises, what to tell the user); None: eager
# makes no such check, the assert goes.
CHECKS: dict[str, tuple[str, str] | None] = {
    "index must be smaller than dim size": ("IndexError", "index out of range (too large)"),
    "index must be larger or equal to 0": ("IndexError", "index out of range (negative)"),
    "unimplemented: tensor with zero element": None,
    "ember: integer division by zero": ("RuntimeError", "ZeroDivisionError: integer division or remainder by zero"),
    # Python arithmetic on .item() values (ember.frontend.item_results)
    "ember: python division by zero": ("ZeroDivisionError", "division by zero"),
}


def describe(message: str, location: ir.Location) -> str | None:
    """The `ember.errors` entry of a check: "ExceptionClass: message at file:line: source"."""
    if message in CHECKS and CHECKS[message] is None:
        return None
    kind, text = CHECKS.get(message) or ("RuntimeError", message)
    return f"{kind}: {text}{_where(location)}"


def _where(location: ir.Location) -> str:
    from ember.frontend.source_locations import source_line, user_frames

    frames = user_frames(str(location))
    if not frames:
        return ""
    line = source_line(frames[0])
    return f" at {frames[0]}" + (f": {line}" if line else "")


def _clamp_checked_value(condition: ir.Value) -> None:
    """For `cond = cmpi(v, bound)` (an order comparison): the uses of v after the check get
    `select(cond, v, 0)`. The compare moves up to just after v's definition where its bound
    allows, so that the uses between the two are covered too."""
    compare = condition.owner
    if not isinstance(compare, ir.OpView) or compare.name != "arith.cmpi":
        return
    if ir.IntegerAttr(compare.attributes["predicate"]).value < 2:
        return  # eq / ne: not a bounds check
    value, bound = compare.operands[0], compare.operands[1]
    block = compare.operation.block
    if isinstance(value, ir.BlockArgument):
        if value.owner != block:
            return
        first = block.operations[0]
    else:
        if value.owner.operation.block != block:
            return
        first = value.owner.operation
    if ancestor_in(bound.owner.operation if isinstance(bound, ir.OpResult) else None, block) is None:
        # The bound is defined outside: check right where v is defined.
        if isinstance(value, ir.BlockArgument):
            compare.operation.move_before(first)
        else:
            compare.operation.move_after(first)
    with ir.InsertionPoint(compare), compare.location:
        zero = arith.ConstantOp(value.type, 0)
        safe = arith.SelectOp(condition, value, zero.result)
    compare.operation.move_before(zero.operation)
    position = {o.operation: i for i, o in enumerate(block.operations)}
    after = position[safe.operation]
    for use in list(value.uses):
        user = use.owner.operation if isinstance(use.owner, ir.OpView) else use.owner
        top = ancestor_in(user, block)
        if top is not None and position[top] > after:
            user.operands[use.operand_number] = safe.result


@register_pass
class RuntimeChecks(EmberPass):
    """Turns the entry's asserts into error codes in its status slot."""

    NAME = "ember-runtime-checks"
    SUMMARY = "Rewrites cf.assert in the entry into error-status stores (and safe indices)"

    def run(self, op) -> None:
        entries = [f for f in op.regions[0].blocks[0].operations
                   if f.operation.name == "func.func" and ENTRY in f.attributes]
        if not entries:
            if collect_ops(op, lambda o: o.name == "cf.assert"):
                op.location.emit_error("ember-runtime-checks: asserts but no entry; run ember-entry-point first")
                raise PassFailure()
            return
        entry = entries[0]
        status = collect_ops(entry.operation, lambda o: o.name in ("memref.alloca", "memref.alloc") and STATUS in o.attributes)[0]
        errors = [ir.StringAttr(a).value for a in entry.attributes["ember.errors"]] if "ember.errors" in entry.attributes else []
        for check in collect_ops(entry.operation, lambda o: o.name == "cf.assert"):
            message = ir.StringAttr(check.attributes["msg"]).value
            entry_text = describe(message, check.location)
            condition = check.operands[0]
            if entry_text is not None:
                if entry_text not in errors:
                    errors.append(entry_text)
                code = errors.index(entry_text) + 1
                with ir.InsertionPoint(check), check.location:
                    # The first failed check is the one reported, as eager raises at the first.
                    # The status is read only once the check failed: no load in a checked loop.
                    i32 = ir.IntegerType.get_signless(32)
                    failed = arith.XOrIOp(condition, arith.ConstantOp(condition.type, 1).result).result
                    branch = scf.IfOp(failed)
                    branch.operation.attributes[CHECK_BRANCH] = ir.UnitAttr.get()
                    with ir.InsertionPoint(branch.then_block):
                        clear = arith.CmpIOp(arith.CmpIPredicate.eq, memref.LoadOp(status.result, []).result,
                                             arith.ConstantOp(i32, 0).result).result
                        first = scf.IfOp(clear)
                        with ir.InsertionPoint(first.then_block):
                            memref.StoreOp(arith.ConstantOp(i32, code).result, status.result, [])
                            scf.YieldOp([])
                        scf.YieldOp([])
                _clamp_checked_value(condition)
            check.erase()
        if errors:
            with entry.location:
                entry.attributes["ember.errors"] = ir.ArrayAttr.get([ir.StringAttr.get(e) for e in errors])

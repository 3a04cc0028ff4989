"""`ember-entry-point`: gives the compiled model's entry point ember's calling convention.

The calling convention of every target and of the C export is decided here, and only here.
Matches the public `func.func @<entry>` (option `entry`; by default `@main`, the name the
capture gives, else the module's only public function with a body) of a bufferized module whose results are already out-params (`buffer-results-to-out-params`), and
produces

    func.func @<name>(%inputs..., %outputs..., %arena: memref<?xi8> {ember.arena},
                      %threads: i32 {ember.threads}) -> i32
        attributes {llvm.emit_c_interface, ember.entry}

- the arena is the caller's context's scratch memory for intermediates: `ember-plan-memory`
  places buffers in it and records the bytes it needs as `ember.arena_size` on the function, so
  the code keeps no state of its own and two contexts may run it at once;
- the thread count is the context's too: when the body has parallel loops, the entry first
  calls `ompc_set_num_threads(%threads)` (an OpenMP setting of the calling thread only; see
  SET_THREADS);
- the result is a status code: a stack slot marked `ember.status` starts at 0, runtime checks
  store an error code into it (see `ember.errors` in the runtime), and every return yields it.
  With `status-in-arena` (device targets, whose kernels cannot reach the host's stack) the slot
  is a `memref.alloc` instead, which `ember-plan-memory` places in the arena.

Fails, with a located error, on a module without that function (or with several candidates), on one whose entry still
returns values, or on one that has been through this pass already.
"""

from mlir import ir
from mlir.dialects import arith, func, memref

from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.walk import collect_ops

ENTRY = "ember.entry"
ARENA = "ember.arena"
THREADS = "ember.threads"
STATUS = "ember.status"
_PARALLEL_LOOPS = {"scf.forall", "scf.parallel", "omp.parallel"}
# libiomp5's own name for omp_set_num_threads. In a process with torch, `omp_set_num_threads`
# resolves to torch's libgomp, loaded first: the setting never reached the runtime that runs
# ember's parallel loops (which then ran on every core at threads=1, and none more at 2), and it
# changed torch's own thread count on the calling thread. libgomp has no `ompc_` entry points;
# ember.runtime.openmp's shim over libgomp serves this one as a per-thread team size.
SET_THREADS = "ompc_set_num_threads"


def entry_function(module_op: ir.Operation, name: str):
    """The module's `func.func @name`, or None."""
    for op in module_op.regions[0].blocks[0].operations:
        if op.operation.name == "func.func" and op.attributes["sym_name"].value == name:
            return op
    return None


def _with(attrs: ir.DictAttr, name: str, value: ir.Attribute) -> ir.DictAttr:
    return ir.DictAttr.get({**{a.name: a.attr for a in attrs}, name: value})


def marked_argument(function, marker: str) -> ir.Value | None:
    """The argument of `function` whose attributes hold `marker` (ember.arena, ember.threads)."""
    if "arg_attrs" not in function.attributes:
        return None
    for index, attrs in enumerate(function.attributes["arg_attrs"]):
        if marker in ir.DictAttr(attrs):
            return function.regions[0].blocks[0].arguments[index]
    return None


@register_pass
class EntryPoint(EmberPass):
    """Shapes the entry: inputs, outputs, the context's arena and thread count; returns a status."""

    NAME = "ember-entry-point"
    SUMMARY = "Gives the entry function ember's ABI: (inputs, outputs, arena, threads) -> status"

    entry: str = ""
    name: str = "ember_entry"
    status_in_arena: bool = False

    def run(self, op) -> None:
        function = self._find(op)
        self._check(function)
        block = function.regions[0].blocks[0]
        location = function.location
        with location:
            arena_type = ir.MemRefType.get([ir.ShapedType.get_dynamic_size()], ir.IntegerType.get_signless(8))
            i32 = ir.IntegerType.get_signless(32)
            block.add_argument(arena_type, location)
            threads = block.add_argument(i32, location)
            old = function.type
            function.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get([*old.inputs, arena_type, i32], [i32])
            )
            previous = list(function.attributes["arg_attrs"]) if "arg_attrs" in function.attributes else []
            previous += [ir.DictAttr.get({})] * (len(old.inputs) - len(previous))
            # No buffer of the call overlaps another: outputs are fresh, the arena is the
            # context's own, inputs are only read. Saying so (llvm.noalias) lets LLVM keep
            # arena loads and stores apart from the inputs' and outputs'.
            noalias = ir.UnitAttr.get()
            buffers = [_with(ir.DictAttr(a), "llvm.noalias", noalias) if isinstance(t, ir.MemRefType) else a
                       for a, t in zip(previous, old.inputs)]
            function.attributes["arg_attrs"] = ir.ArrayAttr.get([
                *buffers,
                ir.DictAttr.get({ARENA: ir.UnitAttr.get(), "llvm.noalias": noalias}),
                ir.DictAttr.get({THREADS: ir.UnitAttr.get()}),
            ])
            function.attributes["sym_name"] = ir.StringAttr.get(self.name)
            function.attributes["llvm.emit_c_interface"] = ir.UnitAttr.get()
            function.attributes[ENTRY] = ir.UnitAttr.get()

            with ir.InsertionPoint.at_block_begin(block):
                # A device writes the status slot: a buffer that ember-plan-memory then puts in the arena.
                slot = memref.AllocOp if self.status_in_arena else memref.AllocaOp
                status = slot(ir.MemRefType.get([], i32), [], [])
                status.attributes[STATUS] = ir.UnitAttr.get()
                memref.StoreOp(arith.ConstantOp(i32, 0).result, status.result, [])
                parallel = bool(collect_ops(function.operation, lambda o: o.name in _PARALLEL_LOOPS))
                if parallel:
                    func.CallOp([], SET_THREADS, [threads])
            for ret in collect_ops(function.operation, lambda o: o.name == "func.return"):
                with ir.InsertionPoint(ret), ret.location:
                    func.ReturnOp([memref.LoadOp(status.result, []).result])
                ret.erase()
        if parallel:
            self._declare_set_threads(op, location)

    def _find(self, module_op):
        if self.entry or entry_function(module_op, "main") is not None:
            function = entry_function(module_op, self.entry or "main")
            if function is None:
                module_op.location.emit_error(f"ember-entry-point: no func.func @{self.entry} to make the entry point")
                raise PassFailure()
            return function
        public = [op for op in module_op.regions[0].blocks[0].operations if op.operation.name == "func.func"
                  and op.regions[0].blocks and "sym_visibility" not in op.attributes]
        if len(public) != 1:
            names = ", ".join("@" + f.attributes["sym_name"].value for f in public) or "none"
            module_op.location.emit_error(
                f"ember-entry-point: no @main, and not one public function to take instead ({names});"
                " name the entry with ember-entry-point{entry=NAME}"
            )
            raise PassFailure()
        return public[0]

    def _check(self, function) -> None:
        name = function.attributes["sym_name"].value
        if function.type.results:
            function.location.emit_error(
                f"ember-entry-point: @{name} still returns {len(function.type.results)} value(s); "
                "run buffer-results-to-out-params first (results must be out-params)"
            )
            raise PassFailure()
        if marked_argument(function, ARENA) is not None:
            function.location.emit_error(f"ember-entry-point: @{name} already has an arena argument")
            raise PassFailure()
        if "sym_visibility" in function.attributes and function.attributes["sym_visibility"].value == "private":
            function.location.emit_error(f"ember-entry-point: @{name} is private; the entry must be public")
            raise PassFailure()

    @staticmethod
    def _declare_set_threads(module_op, location) -> None:
        if entry_function(module_op, SET_THREADS) is not None:
            return
        with location, ir.InsertionPoint.at_block_begin(module_op.regions[0].blocks[0]):
            declaration = func.FuncOp(SET_THREADS, ([ir.IntegerType.get_signless(32)], []))
            declaration.attributes["sym_visibility"] = ir.StringAttr.get("private")

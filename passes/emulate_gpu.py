"""`ember-emulate-gpu`: runs the outlined GPU kernels on the host, as the device would.

Matches a `gpu.container_module` after `gpu-kernel-outlining`: `gpu.module`s of `gpu.func`
kernels and the host's `gpu.launch_func`s. Produces plain host code that the CPU pipeline
lowers: each kernel becomes `func.func private @<module>_<kernel>(args..., grid x/y/z, block
x/y/z: index)` whose body is

    the kernel's workgroup buffers (`memref.alloca`, shared by a block's threads)
    scf.for %bz, %by, %bx (the grid) {
      scf.for %tz, %ty, %tx (the block) { the kernel's ops up to its first gpu.barrier }
      scf.for %tz, %ty, %tx (the block) { the ops up to the next barrier }  ...
    }

with `gpu.block_id`/`thread_id`/`block_dim`/`grid_dim` replaced by those loops' indices and the
launch's sizes, and a parallel loop left inside a thread a sequential one, as on the device. A barrier ends one thread loop and starts the next, so that every thread of the
block has run up to it before any runs on; a scalar that one side defines and the other uses
is kept per thread (a buffer of one element per thread of the block). Each `gpu.launch_func`
becomes a `func.call` of its kernel with its grid and block sizes, and the `gpu.module`s go.

This emulates the kernels *after* mapping to blocks and threads: their index math, guards and
barriers run as written, which is what catches a wrong mapping without a GPU
(`target="cuda-emulated"`). Upstream MLIR has no such lowering (Polygeist's is out of tree).

A `scf.for` that holds barriers (a tiled matmul's loop over k tiles) runs once for the block,
the thread loops inside it, cut at its barriers in turn: every thread runs it alike, as the
device requires of a loop with barriers.

Fails, with a located error, on what it does not emulate: a barrier inside other control flow
(`scf.if`), a barrier loop that carries values or whose bounds differ between threads, kernels
of several blocks, and gpu ops other than the ids, dims, barrier and return (shuffles).
"""

from mlir import ir
from mlir.dialects import arith, func, memref, scf

from ember.passes.gpu_loops import move_body
from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.walk import collect_ops

_DIMS = ("x", "y", "z")
_IDS = {"gpu.block_id", "gpu.thread_id", "gpu.block_dim", "gpu.grid_dim"}


def _fail(op, message: str):
    op.location.emit_error(f"ember-emulate-gpu: {message}")
    raise PassFailure()


def _dimension(op) -> int:
    return _DIMS.index(str(op.attributes["dimension"]).split()[-1].rstrip(">"))


def _loop_nest(uppers: list[ir.Value], lowers=None, steps=None) -> tuple[list[ir.Value], ir.Operation]:
    """scf.for loops over `uppers` (outermost first; from 0 by 1 unless `lowers`, `steps` say
    otherwise) at the current insertion point: their induction variables and the innermost
    body's terminator."""
    index = ir.IndexType.get()
    zero, one = arith.ConstantOp(index, 0).result, arith.ConstantOp(index, 1).result
    lowers, steps = lowers or [zero] * len(uppers), steps or [one] * len(uppers)
    point, ivs, terminator = ir.InsertionPoint.current, [], None
    for lower, upper, step in zip(lowers, uppers, steps):
        with point:
            loop = scf.ForOp(lower, upper, step)
        with ir.InsertionPoint(loop.body):
            terminator = scf.YieldOp([])
        ivs.append(loop.induction_variable)
        point = ir.InsertionPoint(terminator)
    return ivs, terminator


def _users(value: ir.Value):
    for use in value.uses:
        yield use.owner.operation if isinstance(use.owner, ir.OpView) else use.owner, use.operand_number


def _has_barrier(op: ir.Operation) -> bool:
    return bool(collect_ops(op, lambda o: o.name == "gpu.barrier"))


def _check(kernel) -> None:
    if len(kernel.regions[0].blocks) != 1:
        _fail(kernel, "a kernel of several blocks is not emulated")
    for op in collect_ops(kernel.operation, lambda o: o.name.startswith("gpu.")):
        if op.name not in _IDS | {"gpu.barrier", "gpu.return", "gpu.func"}:
            _fail(op, f"'{op.name}' is not emulated")


class _Kernel:
    """One kernel's body cut at its barriers into runs of ops that each thread runs up to the
    next barrier: a tree of ("run", k) and ("loop", its scf.for, its tree), where a loop holds
    barriers and so runs once for the block, its runs inside it."""

    def __init__(self, body: ir.Block):
        self.runs: list[list[ir.Operation]] = []
        self.members: list[tuple[ir.Operation, int]] = []  # (op, its run) for the runs' own ops
        self.tree = self._items(body)

    def _items(self, block: ir.Block) -> list:
        items, current = [], None
        for op in [o.operation for o in block.operations]:
            if op.name in ("gpu.return", "scf.yield") or op.name in _IDS:
                continue
            if op.name == "gpu.barrier":
                current = None
            elif op.name == "scf.for" and _has_barrier(op):
                if len(op.results):
                    _fail(op, "a loop with a gpu.barrier that carries values (iter_args) is not emulated")
                for bound in op.operands:
                    if self._defined_in_run(bound):
                        _fail(op, "a loop with a gpu.barrier whose bounds differ between threads is not emulated")
                items.append(("loop", op, self._items(op.regions[0].blocks[0])))
                current = None
            elif _has_barrier(op):
                _fail(op, f"a gpu.barrier inside '{op.name}' is not emulated (only in the kernel or an scf.for"
                          " that every thread runs alike)")
            else:
                if current is None:
                    self.runs.append([])
                    current = len(self.runs) - 1
                    items.append(("run", current))
                self.runs[current].append(op)
                self.members.append((op, current))
        return items

    def _defined_in_run(self, value: ir.Value) -> bool:
        owner = value.owner
        return isinstance(owner, ir.OpView) and any(o == owner.operation for o, _ in self.members)

    def run_of(self, op: ir.Operation) -> int:
        """The run whose ops hold `op` (or are it)."""
        while op is not None:
            for member, k in self.members:
                if member == op:
                    return k
            op = op.parent
        raise AssertionError("an op outside the kernel's runs")

    def crossing(self, k: int) -> list[ir.Value]:
        """Scalars defined at the top of run k and used in another run."""
        return [r for op in self.runs[k] for r in op.results if any(self.run_of(u) != k for u, _ in _users(r))]


def _emulate(kernel, name: str, module_block: ir.Block, public: bool) -> func.FuncOp:
    _check(kernel)
    body = kernel.regions[0].blocks[0]
    workgroup = ir.IntegerAttr(kernel.attributes["workgroup_attributions"]).value \
        if "workgroup_attributions" in kernel.attributes else 0
    arguments = ir.FunctionType(ir.TypeAttr(kernel.attributes["function_type"]).value).inputs
    index = ir.IndexType.get()
    with kernel.location, ir.InsertionPoint(module_block):
        emulated = func.FuncOp(name, ([*arguments, *[index] * 6], []))
        if not public:
            emulated.attributes["sym_visibility"] = ir.StringAttr.get("private")
        entry = emulated.add_entry_block()
    grid, block = list(entry.arguments)[len(arguments):][:3], list(entry.arguments)[len(arguments) + 3:]
    for old, new in zip(list(body.arguments)[: len(arguments)], entry.arguments):
        old.replace_all_uses_with(new)
    with kernel.location, ir.InsertionPoint(entry):
        ret = func.ReturnOp([])
    for op in collect_ops(kernel.operation, lambda o: o.name == "arith.constant"):
        op.move_before(ret)  # uniform: computed once, seen by every thread loop
    cut = _Kernel(body)
    # Buffers of a block (its shared memory, the scalars kept across a barrier) are allocated
    # once, before the grid's loops: blocks run one after another and may reuse them, and an
    # alloca inside a loop would grow the stack on every trip.
    with kernel.location, ir.InsertionPoint(ret):
        threads = arith.MulIOp(arith.MulIOp(block[0], block[1]).result, block[2]).result
        for attribution in list(body.arguments)[len(arguments): len(arguments) + workgroup]:
            shared = ir.MemRefType(attribution.type)  # without its address space
            attribution.replace_all_uses_with(memref.AllocaOp(ir.MemRefType.get(shared.shape, shared.element_type),
                                                              [], []).result)
        crossing = [cut.crossing(k) for k in range(len(cut.runs))]
        slots = {}  # crossing value → (its per-thread buffer, its uses in other runs by run)
        for k, values in enumerate(crossing):
            for value in values:
                if not isinstance(value.type, (ir.IntegerType, ir.FloatType, ir.IndexType)):
                    _fail(value.owner, f"a {value.type} that crosses a gpu.barrier is not emulated")
                dynamic = ir.MemRefType.get([ir.ShapedType.get_dynamic_size()], value.type)
                others = {}
                for user, n in _users(value):
                    others.setdefault(cut.run_of(user), []).append((user, n))
                others.pop(k, None)
                slots[value] = (memref.AllocaOp(dynamic, [threads], []).result, others)
        block_ids, block_end = _loop_nest(grid[::-1])
        block_ids = block_ids[::-1]
    uniform = {"gpu.block_id": block_ids, "gpu.block_dim": block, "gpu.grid_dim": grid}
    thread_uses = []  # (user, operand number, run, dim)
    for op in [o.operation for o in body.operations if o.operation.name in _IDS]:
        if op.name in uniform:
            op.results[0].replace_all_uses_with(uniform[op.name][_dimension(op)])
        else:
            thread_uses += [(user, n, cut.run_of(user), _dimension(op)) for user, n in _users(op.results[0])]

    def thread_loops(k: int, point: ir.Operation) -> None:
        with kernel.location, ir.InsertionPoint(point):
            ids, end = _loop_nest(block[::-1])
            ids = ids[::-1]
        with kernel.location, ir.InsertionPoint(end):
            linear = arith.AddIOp(arith.MulIOp(arith.AddIOp(arith.MulIOp(ids[2], block[1]).result, ids[1]).result,
                                               block[0]).result, ids[0]).result
            for value, (slot, others) in slots.items():  # defined in another run, used in this one
                if k in others:
                    reloaded = memref.LoadOp(slot, [linear]).result
                    for user, n in others[k]:
                        user.operands[n] = reloaded
        for op in cut.runs[k]:
            op.move_before(end)
        with kernel.location, ir.InsertionPoint(end):
            for value in crossing[k]:
                memref.StoreOp(value, slots[value][0], [linear])
        for user, n, run, dim in thread_uses:
            if run == k:
                user.operands[n] = ids[dim]

    def emit(items: list, point: ir.Operation) -> None:
        for item in items:
            if item[0] == "run":
                thread_loops(item[1], point)
                continue
            _, loop, inner = item  # a loop of barriers: once for the block, its runs inside
            with kernel.location, ir.InsertionPoint(point):
                lower, upper, step = loop.operands
                copy = scf.ForOp(lower, upper, step)
                with ir.InsertionPoint(copy.body):
                    end = scf.YieldOp([])
            loop.regions[0].blocks[0].arguments[0].replace_all_uses_with(copy.induction_variable)
            emit(inner, end)
            loop.erase()

    emit(cut.tree, block_end)
    for op in [o.operation for o in body.operations]:
        if op.name in _IDS:
            op.erase()
    return emulated


def _sequential(loop) -> None:
    """An `scf.parallel` inside a kernel runs in its thread, one iteration after another (as
    the device lowering's scf-to-cf makes it): a nest of scf.for."""
    if len(loop.results):
        _fail(loop, "an scf.parallel with reductions inside a kernel is not emulated")
    count = len(loop.region.blocks[0].arguments)
    lower, upper, step = (list(loop.operands)[i * count:(i + 1) * count] for i in range(3))
    with loop.location, ir.InsertionPoint(loop):
        ivs, terminator = _loop_nest(upper, lower, step)
    move_body(loop, ivs, terminator)


def _launch_as_call(launch, callee: str) -> None:
    launch = launch.opview
    if launch.asyncDependencies or launch.results:
        _fail(launch, "an async gpu.launch_func is not emulated")
    sizes = [launch.gridSizeX, launch.gridSizeY, launch.gridSizeZ, launch.blockSizeX, launch.blockSizeY,
             launch.blockSizeZ]
    with ir.InsertionPoint(launch), launch.location:
        func.CallOp([], callee, [*launch.kernelOperands, *sizes])
    launch.operation.erase()


@register_pass
class EmulateGpu(EmberPass):
    NAME = "ember-emulate-gpu"
    SUMMARY = "Turns outlined GPU kernels into host loops over blocks and threads (barriers split them)"

    # The emulated kernels as public functions: the cuda runtime's HostKernels runs a launch
    # plan with them (ember.runtime.cuda), which tests the plan without a GPU.
    public_kernels: bool = False

    def run(self, op) -> None:
        module_block = op.regions[0].blocks[0]
        kernels = {}
        for gpu_module in [o for o in module_block.operations if o.operation.name == "gpu.module"]:
            module_name = gpu_module.attributes["sym_name"].value
            for kernel in gpu_module.regions[0].blocks[0].operations:
                if kernel.operation.name == "gpu.func":
                    kernel_name = kernel.attributes["sym_name"].value
                    name = f"{module_name}_{kernel_name}"
                    emulated = _emulate(kernel, name, module_block, self.public_kernels)
                    for loop in collect_ops(emulated.operation, lambda o: o.name == "scf.parallel",
                                            ir.WalkOrder.PRE_ORDER):
                        _sequential(loop.opview)
                    kernels[f"@{module_name}::@{kernel_name}"] = name
        for launch in collect_ops(op, lambda o: o.name == "gpu.launch_func"):
            kernel = str(launch.attributes["kernel"])
            if kernel not in kernels:
                _fail(launch, f"no kernel {kernel} to emulate")
            _launch_as_call(launch, kernels[kernel])
        for gpu_module in [o for o in module_block.operations if o.operation.name == "gpu.module"]:
            gpu_module.operation.erase()
        if "gpu.container_module" in op.attributes:
            del op.attributes["gpu.container_module"]

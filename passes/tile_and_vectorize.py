"""ember-tile-and-vectorize: tiles each fusion group for registers and cache and vectorizes it
to the host's SIMD width, with transform-dialect schedules built here in Python.

Matches the `ember.fusion_group`s made by `ember-fuse-groups` (and linalg ops outside any group,
as groups of one), and produces `scf.for` loop nests over `vector` ops, still on tensors and
still inside the groups. The machine comes in as options
(`vector-bits`, `vector-registers`; the CPU target passes its host's, see `cpu_model`).
- "contraction" groups (matmul, batch matmul, and convolutions whose indices are loop indices
  or `oh * stride + kh * dilation` sums): the columns are the innermost parallel loop along
  which every input is read contiguously or not at all (a depthwise NCHW convolution's output
  width, not its channels; the loops are interchanged to make it the last), the rows the
  parallel loop that needs the fewest loads per reduction step (a depthwise convolution's
  output rows share one weight). The group's last op (the end of the epilogue) is
  tiled by a register block of `tm` rows × `tn` columns (`tn` whole SIMD registers where the
  shape allows, else a power of two), column blocks outside row blocks (and outside a
  convolution's output rows where its weights outweigh its image: the weights are read once);
  the epilogue, the contraction and its init are fused into that tile
  (`fuse_into_containing_op`, producer into consumer only), the reductions are tiled by 1,
  every tile is vectorized, the accumulator is
  hoisted out of the reduction loops, and `vector.contract` becomes broadcasts and FMAs
  (`outerproduct` lowering): a register-blocked microkernel. A convolution's unit window dims
  are then dropped (its tile becomes a multiply-add of an input row block by one weight) and a
  strided input read becomes a strided `tensor.extract_slice`. Pooling (a window reduction,
  in a "reduction" group) gets the same schedule.
- "reduction" groups of several row reductions and the elementwise ops around them (a layer
  norm, a softmax), ending in an elementwise op: one loop over the rows, every op of the group
  fused into it and vectorized a row at a time (`_fused_rows`), the row's intermediates never
  written out whole. Float row sums may add their lanes in any order (`fastmath<reassoc>`:
  pairwise in LLVM, not one chain of dependent additions).
- every other op (elementwise, row reductions): tiled so that each tile holds at most
  `vector-elements` elements (one register where the body has math that LLVM turns into libm
  calls), reductions whole, then vectorized. An op whose reductions alone are larger stays as
  it is (scalar loops later).
- dynamic extents (`?`, a batch): every tile stays static. A dynamic parallel loop is tiled by 1
  (elementwise ops; a contraction's loops other than its rows and columns); a contraction's
  dynamic row loop is tiled in register blocks, rows outermost, and peeled: whole blocks of `tm`
  rows, then the rows left over in peeled blocks of 4, 2, 1 rows, each block as wide as its
  accumulators allow (a single row 16 registers wide).
Fusion groups that are twins (a model's repeated layers, see `group_twins`) are scheduled once:
the others get a copy of the scheduled group, reading their own values.
A schedule that does not apply (a dynamic reduction or vector loop, an empty loop, long
reductions, a failed transform) leaves the op tiled or untouched: slower, never wrong; each refusal is logged to the
`ember` logger with its reason and location, and the pass logs its counts (EMBER_LOG=info).
"""

import collections
import logging
import math

from mlir import ir
from mlir.dialects import arith, tensor, vector
from mlir.dialects.transform import interpreter
from mlir.passmanager import PassManager

from ember.passes.cpu_model import AVX512
from ember.passes import group_twins
from ember.passes.dissolve_groups import fusion_groups
from ember.passes.fuse_groups import kind_of
from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import constant_int, iterator_types, ops_named

TAG = "ember.schedule"
log = logging.getLogger("ember")
_NOT_A_WINDOW = "a reduction that is no window (not pooling)"


def _refuse(counts: collections.Counter, op: str, schedule: str, why: str) -> None:
    """A schedule that does not apply: logged (EMBER_LOG=info) and counted, never silent. `op`
    names the op and its location, taken before any transform ran (which may replace it)."""
    counts[f"refused {schedule}"] += 1
    log.info("ember-tile-and-vectorize: no %s schedule for %s: %s", schedule, op, why)


def _label(op: ir.Operation) -> str:
    return f"{op.name} at {op.location}"



def _largest_divisor(n: int, limit: int) -> int:
    return max(d for d in range(1, max(1, min(n, limit)) + 1) if n % d == 0)


_LIBM_MATH = frozenset({"math.erf", "math.exp", "math.exp2", "math.expm1", "math.log", "math.log1p", "math.log2",
                        "math.log10", "math.tanh", "math.sin", "math.cos", "math.tan", "math.atan", "math.atan2",
                        "math.powf", "math.erfc", "math.asin", "math.acos", "math.sinh", "math.cosh"})


def _calls_libm(op: ir.Operation) -> bool:
    return any(inner.operation.name in _LIBM_MATH for inner in op.regions[0].blocks[0].operations)


def _long_integer_chain(op: ir.Operation) -> bool:
    """Whether the body is a long chain of 64-bit integer arithmetic (the counter-based generator
    of every random op, ~30 multiplies, shifts and adds): at 1024 elements a tile keeps 128
    registers live per step, and LLVM spends seconds on the spills (and the code runs slower)."""
    wide = 0
    for inner in op.regions[0].blocks[0].operations:
        results = inner.operation.results
        if len(results) == 1 and isinstance(results[0].type, ir.IntegerType) and results[0].type.width == 64:
            wide += 1
    return wide >= 16


def _vector_tile(n: int, limit: int, lanes: int) -> int:
    """A tile of `n` for one vector dimension: whole registers where `n` allows, else a power
    of two (a vector<28xf32> becomes a mess of partial registers and spills)."""
    divisors = [d for d in range(1, min(n, limit) + 1) if n % d == 0]
    whole = [d for d in divisors if d % lanes == 0]
    return max(whole) if whole else max(d for d in divisors if d & (d - 1) == 0)


DYNAMIC = -1  # a loop range known only at run time (a `?` extent)


def _loop_ranges(op: ir.Operation) -> list[int] | None:
    """The loop ranges of a linalg op, read from its operands' shapes: DYNAMIC where the extent
    is `?`; None where a loop indexes no operand dim directly."""
    maps = [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]]
    ranges: list[int | None] = [None] * maps[0].n_dims
    for value, amap in zip(op.operands, maps):
        if not isinstance(value.type, ir.ShapedType):
            continue
        shaped = ir.ShapedType(value.type)
        for i, expr in enumerate(amap.results):
            if isinstance(expr, ir.AffineDimExpr):
                size = DYNAMIC if shaped.is_dynamic_dim(i) else shaped.get_dim_size(i)
                if ranges[expr.position] in (None, DYNAMIC):
                    ranges[expr.position] = size
    return None if None in ranges else ranges


def _static_ranges(op: ir.Operation) -> list[int] | None:
    """The loop ranges of a linalg op with static shapes (from its operands' shapes)."""
    ranges = _loop_ranges(op)
    return None if ranges is None or DYNAMIC in ranges else ranges


def _is_projected(op: ir.Operation) -> bool:
    return all(ir.AffineMapAttr(m).value.is_projected_permutation for m in op.attributes["indexing_maps"])


_FOLD_UNIT_DIMS = """transform.apply_patterns to {} {{
      transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices
      transform.apply_patterns.canonicalization
    }} : !transform.any_op"""


_DCE = "transform.apply_dce to %root : !transform.any_op"
_CANONICALIZE = """transform.apply_patterns to %root {
      transform.apply_patterns.linalg.tiling_canonicalization
      transform.apply_patterns.canonicalization
    } : !transform.any_op"""


_CONTRACT = """transform.apply_patterns to %root {
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.reduction_to_contract
    } : !transform.any_op"""


def _allow_fma(op: ir.Operation) -> None:
    """Lets LLVM fuse the multiply-add of a contraction's body into one FMA (what eager's
    matmul and convolution kernels do too); with a unit reduction tile the vectorized step
    is a plain multiply and add, not a `vector.contract`."""
    for inner in op.regions[0].blocks[0].operations:
        if inner.operation.name in ("arith.mulf", "arith.addf"):
            inner.operation.attributes["fastmath"] = ir.Attribute.parse("#arith.fastmath<contract>")


def _index_term(expr) -> bool:
    """`d` or `d * c`."""
    if isinstance(expr, ir.AffineDimExpr):
        return True
    return isinstance(expr, ir.AffineMulExpr) and isinstance(expr.lhs, ir.AffineDimExpr) \
        and isinstance(expr.rhs, ir.AffineConstantExpr)


def _is_window(op: ir.Operation) -> bool:
    """Whether every operand index is a loop index or a sum of two, each maybe scaled by a
    constant: a convolution window (`oh * stride + kh * dilation`)."""
    for attr in op.attributes["indexing_maps"]:
        for expr in ir.AffineMapAttr(attr).value.results:
            if not (_index_term(expr) or isinstance(expr, ir.AffineAddExpr)
                    and _index_term(expr.lhs) and _index_term(expr.rhs)):
                return False
    return True


def _vector_loop(op: ir.Operation, parallel: list[int]) -> int:
    """The parallel loop to vectorize: the innermost one along which every input is read
    contiguously (the loop indexes its last dim, maybe strided or in a window sum) or not at
    all (a broadcast). A depthwise NCHW convolution's channel loop is innermost but strided by
    H*W in its input; its output width is contiguous. The output's own layout does not count:
    the accumulator block is carried in registers and stored once per tile."""
    maps = [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]][: len(op.operands) - len(op.results)]

    def reads_well(loop: int) -> bool:
        for amap in maps:
            users = [i for i, e in enumerate(amap.results) if _uses_dim(e, loop)]
            if users and users != [len(amap.results) - 1]:
                return False
        return True

    return next((p for p in reversed(parallel) if reads_well(p)), parallel[-1])


def _row_loop(op: ir.Operation, candidates: list[int], col: int, ranges: list[int]) -> int:
    """The parallel loop whose rows make the register block: the one that needs the fewest
    loads per reduction step. An input read along the row loop is loaded once per row (a
    vector where it varies along the columns too, else a broadcast); one invariant along it is
    loaded once for the whole block. A depthwise convolution's output rows share one weight,
    its channels do not. Ties go to a static loop, then the innermost; unit loops make no rows."""
    maps = [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]][: len(op.operands) - len(op.results)]

    def per_row_loads(loop: int) -> int:
        return sum(any(_uses_dim(e, loop) for e in amap.results) for amap in maps)

    useful = [p for p in candidates if ranges[p] > 1 or ranges[p] == DYNAMIC] or candidates
    # Among equals a static loop: a dynamic one may be short (a batch of 1 makes 1-row blocks
    # that each stream the whole weight).
    return min(reversed(useful), key=lambda p: (per_row_loads(p), ranges[p] == DYNAMIC))


def _panel_outweighs_stream(op: ir.Operation, outer: list[int]) -> bool:
    """Whether the inputs that no loop of `outer` (the row loop and the parallel loops outside
    the register block) indexes, the weights of a convolution, are larger in bytes than the
    inputs that one of them indexes (its image). Static shapes only."""
    maps = [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]]
    panel = stream = 0
    for value, amap in zip(op.operands[: len(op.operands) - len(op.results)], maps):
        if not isinstance(value.type, ir.ShapedType) or not ir.ShapedType(value.type).has_static_shape:
            return False
        shaped = ir.ShapedType(value.type)
        size = shaped.element_type.width * math.prod(shaped.shape)
        if any(_uses_dim(e, loop) for e in amap.results for loop in outer):
            stream += size
        else:
            panel += size
    return panel > stream


def _uses_dim(expr, dim: int) -> bool:
    if isinstance(expr, ir.AffineDimExpr):
        return expr.position == dim
    if isinstance(expr, (ir.AffineAddExpr, ir.AffineMulExpr)):
        return _uses_dim(expr.lhs, dim) or _uses_dim(expr.rhs, dim)
    return False


def _strides_to_slices(op: ir.Operation) -> None:
    """Rewrites an operand read at `d * stride` (a strided convolution once its window dims are
    unit tiles) into a strided `tensor.extract_slice` read at `d`, which the vectorizer takes."""
    if "indexing_maps" not in op.attributes:
        return
    ranges = _static_ranges(op)
    maps = [ir.AffineMapAttr(m).value for m in op.attributes["indexing_maps"]]
    if ranges is None or all(m.is_projected_permutation for m in maps):
        return
    for i, (value, amap) in enumerate(zip(op.operands, maps)):
        if amap.is_projected_permutation:
            continue
        if not all(_index_term(e) for e in amap.results) or not isinstance(value.type, ir.RankedTensorType):
            return
        dims = [e if isinstance(e, ir.AffineDimExpr) else e.lhs for e in amap.results]
        strides = [1 if isinstance(e, ir.AffineDimExpr) else e.rhs.value for e in amap.results]
        sizes = [ranges[d.position] for d in dims]
        with ir.InsertionPoint(op), op.location:
            sliced = tensor.extract_slice(
                ir.RankedTensorType.get(sizes, ir.RankedTensorType(value.type).element_type),
                value, [], [], [], [0] * len(sizes), sizes, strides)
        op.operands[i] = sliced
        maps[i] = ir.AffineMap.get(amap.n_dims, 0, dims)
    op.attributes["indexing_maps"] = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for m in maps])


def _minor_identity(amap: ir.AffineMap) -> bool:
    dims = [e.position if isinstance(e, ir.AffineDimExpr) else -1 for e in amap.results]
    return dims == list(range(amap.n_dims - len(dims), amap.n_dims))


def _deinterleave_stride_two(scope: ir.Operation) -> None:
    """Rewrites a vector read of a slice with stride 2 along its last dim (a stride-2 window)
    into a read of the contiguous slice twice as wide, masked at its end, and the even lanes
    of a `vector.deinterleave`: two vector loads and a shuffle instead of a scalar load per
    lane."""
    for read in ops_named(scope, "vector.transfer_read"):
        source = read.operands[0]
        slice_op = source.owner
        if isinstance(slice_op, ir.Block) or slice_op.name != "tensor.extract_slice" \
                or not _minor_identity(ir.AffineMapAttr(read.attributes["permutation_map"]).value) \
                or not all(constant_int(i) == 0 for i in read.operands[1:len(read.operands) - 1]):
            continue
        strides = list(ir.DenseI64ArrayAttr(slice_op.attributes["static_strides"]))
        sizes = list(ir.DenseI64ArrayAttr(slice_op.attributes["static_sizes"]))
        offsets = list(ir.DenseI64ArrayAttr(slice_op.attributes["static_offsets"]))
        result = ir.RankedTensorType(slice_op.results[0].type)
        if strides[-1] != 2 or len(sizes) != result.rank or any(x < 0 for x in sizes + strides):
            continue  # rank-reducing or dynamic slices are left alone
        lanes = ir.VectorType(read.results[0].type).shape
        with ir.InsertionPoint(read), read.location:
            wide_sizes = sizes[:-1] + [2 * sizes[-1] - 1]
            dynamic = [v for v in slice_op.operands[1:]]  # the dynamic offsets, in order
            wide = tensor.ExtractSliceOp(
                ir.RankedTensorType.get(wide_sizes, result.element_type), slice_op.operands[0],
                dynamic, [], [], offsets, wide_sizes, strides[:-1] + [1]).result
            wide_type = ir.VectorType.get(lanes[:-1] + [2 * lanes[-1]], result.element_type)
            in_bounds = list(read.attributes["in_bounds"])[:-1] + [ir.BoolAttr.get(False)]
            loaded = vector.TransferReadOp(
                wide_type, wide, list(read.operands[1:len(read.operands) - 1]),
                read.attributes["permutation_map"], read.operands[len(read.operands) - 1],
                ir.ArrayAttr.get(in_bounds)).result
            evens = vector.DeinterleaveOp(loaded).results[0]
        read.results[0].replace_all_uses_with(evens)
        read.erase()


def _linalg_ops(block_owner: ir.Operation) -> list[ir.Operation]:
    ops = []
    for region in block_owner.regions:
        for block in region.blocks:
            ops += [o.operation for o in block.operations if kind_of(o.operation) is not None]
    return ops


class _Schedule:
    """A transform script under construction: ops tagged `TAG = n` are its handles."""

    def __init__(self):
        self.lines: list[str] = []
        self.count = 0

    def tag(self, op: ir.Operation) -> str:
        self.count += 1
        op.attributes[TAG] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), self.count)
        name = f"%op{self.count}"
        self.lines.append(
            f"{name} = transform.structured.match attributes{{{TAG} = {self.count}}} in %root"
            " : (!transform.any_op) -> !transform.any_op"
        )
        return name

    def add(self, line: str) -> None:
        self.lines.append(line)

    def tile(self, handle: str, sizes: list[int], interchange: list[int] | None = None) -> tuple[str, list[str]]:
        """tile_using_for: returns the tiled op's handle and one handle per loop (outermost
        first)."""
        self.count += 1
        loops = [f"%loop{self.count}_{i}" for i, s in enumerate(sizes) if s]
        tiled = f"%tiled{self.count}"
        results = ", ".join([tiled, *loops])
        types = ", ".join(["!transform.any_op"] * (1 + len(loops)))
        order = f" interchange = {interchange}" if interchange else ""
        self.add(f"{results} = transform.structured.tile_using_for {handle} tile_sizes {sizes}{order}"
                 f" : (!transform.any_op) -> ({types})")
        return tiled, loops

    def fuse_into(self, producer: str, loop: str) -> str:
        self.count += 1
        fused = f"%fused{self.count}"
        self.add(f"{fused}, %loop{self.count} = transform.structured.fuse_into_containing_op {producer} into {loop}"
                 " : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)")
        return fused

    def find(self, handle: str, scope: str) -> str:
        """The op tagged like `handle` (a handle of `tag`) inside `scope`: after a transform
        that clones ops (peeling), each copy of a loop holds its own."""
        self.count += 1
        name = f"%found{self.count}"
        number = handle.removeprefix("%op")
        self.add(f"{name} = transform.structured.match attributes{{{TAG} = {number}}} in {scope}"
                 " : (!transform.any_op) -> !transform.any_op")
        return name

    def peel(self, loop: str) -> tuple[str, str]:
        """Peels the `scf.for` `loop` into a loop over whole steps and one partial iteration:
        returns (main, rest)."""
        self.count += 1
        n = self.count
        self.add(f'%for{n} = transform.cast {loop} : !transform.any_op to !transform.op<"scf.for">')
        self.add(f"%main{n}, %rest{n} = transform.loop.peel %for{n} : (!transform.op<\"scf.for\">)"
                 " -> (!transform.any_op, !transform.any_op)")
        self.add(f'transform.annotate %main{n} "{WHOLE_STEPS}" : !transform.any_op')
        return f"%main{n}", f"%rest{n}"

    def text(self) -> str:
        body = "\n    ".join(self.lines)
        return (
            "module attributes {transform.with_named_sequence} {\n"
            "  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {\n"
            f"    {body}\n    transform.yield\n  }}\n}}\n"
        )


def _failure(payload: ir.Operation, schedule: _Schedule) -> str | None:
    """Runs the script on `payload`: None where it applied, else the interpreter's first
    diagnostic (the IR is as far as the script got)."""
    script = ir.Module.parse(schedule.text())
    try:
        interpreter.apply_named_sequence(payload, script.body.operations[0], script)
        return None
    except (ir.MLIRError, ValueError) as e:  # the interpreter reports a failed transform as ValueError
        lines = [line for line in str(e).splitlines() if "Diagnostic message" in line or "error:" in line]
        return (lines[0] if lines else str(e).splitlines()[0] if str(e) else type(e).__name__)[:300]


def _apply(payload: ir.Operation, schedule: _Schedule) -> bool:
    """Runs the script on `payload`; False (and the IR as far as it got) where it fails."""
    return _failure(payload, schedule) is None


def _untag(op: ir.Operation) -> None:
    def visit(inner):
        if TAG in inner.attributes:
            del inner.attributes[TAG]
        return ir.WalkResult.ADVANCE

    op.walk(visit)


@register_pass
class TileAndVectorize(EmberPass):
    NAME = "ember-tile-and-vectorize"
    SUMMARY = "Tiles and vectorizes fusion groups with transform-dialect schedules (register-blocked matmul)"

    vector_bits: int = AVX512.vector_bits  # the target's SIMD width (the CPU target passes its host's: cpu_model)
    vector_registers: int = AVX512.vector_registers  # and its vector register count
    vector_elements: int = 1024  # the most elements one tile of an elementwise/reduction op holds
    columns_outer: bool = True  # matmul/conv: loop over column blocks outside row blocks

    def run(self, op):
        lanes = self.vector_bits // 32
        counts = collections.Counter()
        # The schedules read loops and maps from `linalg.generic`s.
        PassManager.parse("builtin.module(func.func(linalg-generalize-named-ops))").run(op)
        scheduled = {}  # twin key -> (a scheduled group, its values from above before scheduling)
        for group in fusion_groups(op):
            key = group_twins.twin_key(group)
            if key in scheduled and group_twins.copy_to(*scheduled[key], group):
                counts["copied from a twin"] += 1
                continue
            above = group_twins.values_from_above(group)
            group = self._schedule(group, lanes, counts)  # a group scheduled per row is a new op
            self._lower_vectors(group, transposes=False)  # here, not once per function: a twin copies it lowered
            scheduled.setdefault(key, (group, above))
        for func in _functions(op):  # ops outside any group
            for linalg_op in _linalg_ops(func):
                self._elementwise(func, linalg_op, counts)
        for func in _functions(op):
            self._lower_vectors(func)
        _untag(op)
        log.info("ember-tile-and-vectorize: %s", ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing")

    def _schedule(self, group: ir.Operation, lanes: int, counts: collections.Counter) -> ir.Operation:
        """Schedules a group; returns it (a new op where it was scheduled per row)."""
        if group.attributes["kind"].value in ("contraction", "reduction"):
            refused = self._contraction(group, lanes)
            if refused is None:
                counts["register-blocked"] += 1
                return group
            if group.attributes["kind"].value == "contraction" or refused != _NOT_A_WINDOW:
                _refuse(counts, _label(group), "register-blocked", refused)
            if group.attributes["kind"].value == "reduction":
                refused, group = self._fused_rows(group, counts)
                if refused is None:
                    counts["fused per row"] += 1
                    return group
                _refuse(counts, _label(group), "fused per row", refused)
        for linalg_op in _linalg_ops(group):
            self._elementwise(group, linalg_op, counts)
        return group

    def _fused_rows(self, group: ir.Operation, counts: collections.Counter) -> tuple[str | None, ir.Operation]:
        """Schedules a group of row reductions and the elementwise ops around them (a layer norm,
        a softmax: a reduction's result read by the ops after it) one row at a time: the group's
        last op, elementwise, tiled by one along every dim but its last, each producer fused into
        that loop (a reduction whole along the row), then every op of the row vectorized. The
        row's intermediates (a layer norm's centred values, a softmax's exponentials) are then
        a row each, in registers or L1, instead of a tensor each written and read back by a loop
        of its own. Unit dims are folded first: a keepdim reduction's result, indexed by a
        constant 0, cannot be tiled. Returns (None, the group) where it applied, else (why not,
        the group as it was: a script that fails halfway leaves its IR, so it runs on a copy)."""
        original = group
        with ir.InsertionPoint(original):
            group = original.clone()  # before the original, reading the same values
        refused = self._rows_of(group)
        if refused is not None:
            group.erase()
            return refused, original
        for result, new in zip(original.results, group.results):
            result.replace_all_uses_with(new)
        original.erase()
        for linalg_op in _linalg_ops_deep(group):
            self._elementwise(group, linalg_op, counts)
        return None, group

    def _rows_of(self, group: ir.Operation) -> str | None:
        unit_dims = _Schedule()
        unit_dims.add(_FOLD_UNIT_DIMS.format("%root"))
        if not _apply(group, unit_dims):
            return "folding its unit dims failed"
        members = _linalg_ops(group)
        tail = members[-1]
        ranges = _static_ranges(tail) if "indexing_maps" in tail.attributes else None
        if ranges is None or len(ranges) < 2:
            return "its last op has dynamic or no loops, or only one"
        if any(it != "parallel" for it in iterator_types(tail)):
            return "its last op is a reduction"
        if not all("indexing_maps" in m.attributes and _is_projected(m) for m in members):
            return "an op that reads or writes other than a projection of its loops"
        out_map = ir.AffineMapAttr(list(tail.attributes["indexing_maps"])[-1]).value
        if [getattr(e, "position", None) for e in out_map.results] != list(range(len(ranges))):
            return "its last op writes its loops out of order"
        schedule = _Schedule()
        handles = {m: schedule.tag(m) for m in members}
        self._tile_fused(schedule, members, handles, [1] * (len(ranges) - 1) + [0])
        failure = _failure(group, schedule)
        if failure:
            return f"the row tiling and fusion failed ({failure.splitlines()[0][:200]})"
        _untag(group)
        _erase_dead(group)
        if any(m.parent.operation == group for m in _linalg_ops_deep(group)):
            return "an op stayed outside the row loop"
        return None

    def _contraction(self, group: ir.Operation, lanes: int) -> str | None:
        """Schedules a contraction group as a register-blocked microkernel; None where it did,
        else why not (the group is then as it was, or tiled as far as the schedule got)."""
        members = _linalg_ops(group)
        roots = [m for m in members if kind_of(m) in ("contraction", "reduction")]
        if len(roots) != 1 or "indexing_maps" not in roots[0].attributes:
            return f"{len(roots)} contractions or reductions in one group"
        window = not _is_projected(roots[0])
        if window and not _is_window(roots[0]) or kind_of(roots[0]) == "reduction" and not window:
            return _NOT_A_WINDOW  # pooling (a window reduction) is scheduled like a convolution
        root, tail = roots[0], members[-1]
        ranges, iterators = _loop_ranges(root), iterator_types(root)
        if ranges is None:
            return "a loop that indexes no operand dim"
        if 0 in ranges:  # an empty loop (a zero-size contraction): nothing to tile
            return "an empty loop"
        parallel = [i for i, it in enumerate(iterators) if it == "parallel"]
        out_map = ir.AffineMapAttr(list(root.attributes["indexing_maps"])[-1]).value
        if len(parallel) < 2 or len(root.results) != 1 or not out_map.is_projected_permutation:
            return "fewer than two parallel loops, several results, or a computed output index"
        # The register block: the root's innermost parallel loop is the vector (column) dim,
        # the one outside it the rows. The tail is tiled in its own loops: the root's own, or
        # (an epilogue) the output's dims, which the root's output map orders.
        col_loop = _vector_loop(root, parallel)
        if col_loop != parallel[-1]:
            # The vectorizer makes the iteration space's last dim the vector lanes: the column
            # loop goes there (after the other parallel loops), or every step transposes.
            order = [i for i in range(len(iterators)) if i != col_loop]
            order.insert(order.index(parallel[-1]) + 1, col_loop)
            schedule = _Schedule()
            schedule.add(f"transform.structured.interchange {schedule.tag(root)} iterator_interchange = {order}"
                         " : (!transform.any_op) -> !transform.any_op")
            if not _apply(group, schedule):
                return "the loop interchange failed"
            _untag(group)
            return self._contraction(group, lanes)
        row_loop = _row_loop(root, [p for p in parallel if p != col_loop], col_loop, ranges)
        # Dynamic extents: other parallel loops are tiled by 1 anyway; a dynamic row loop is
        # tiled by whole register blocks and peeled (the rows left over, fewer than a block, are
        # tiles of one row); the vector and reduction loops must be static.
        if ranges[col_loop] == DYNAMIC:
            return "a dynamic vector (column) loop"
        if any(r == DYNAMIC and it == "reduction" for r, it in zip(ranges, iterators)):
            return "a dynamic reduction loop"
        out_dims = [e.position for e in out_map.results]
        if tail == root:
            tail_loops, row, col = ranges, row_loop, col_loop
        else:
            tail_loops, row, col = [ranges[d] for d in out_dims], out_dims.index(row_loop), out_dims.index(col_loop)
            if _loop_ranges(tail) != tail_loops:  # it must run over the result, element by element
                return "an epilogue over other loops than the contraction's result"
        rows, cols = ranges[row_loop], ranges[col_loop]
        # Half the vector registers hold the accumulator block: 2 registers wide and as many
        # rows as fit, or for a single row (a matrix-vector product) all of them wide.
        registers = self.vector_registers // 2
        tn = _vector_tile(cols, (2 if rows != 1 else registers) * lanes, lanes)
        block_rows = max(1, registers // -(-tn // lanes))
        tm = block_rows if rows == DYNAMIC else _largest_divisor(rows, block_rows)
        if tm < block_rows and rows not in (1, DYNAMIC):
            # Rows that no block height divides (7 or 14 on AVX2, whose blocks are 4 high): a
            # 1x2-register block of 2 FMA chains waits on FMA latency (ResNet's 7x7 layers ran
            # at 1/4 of the core's FMA rate). As many rows as fit in one block, narrower (7 rows
            # x 1 register: each weight load serves 7 FMAs, and a column panel of a 4608-long
            # reduction, 147 KB, stays in L2; ResNet's 14x14 layers ran 20% faster as 7x1 than
            # as 2x4 registers, which stream the weights from L2 once per 2 rows), else the
            # block grows wider.
            tall = _largest_divisor(rows, registers)
            if tall > tm:
                tm, tn = tall, _vector_tile(cols, max(1, registers // tall) * lanes, lanes)
            else:
                tn = _vector_tile(cols, max(2, registers // tm) * lanes, lanes)
        _allow_fma(root)
        schedule = _Schedule()
        handles = {m: schedule.tag(m) for m in members}
        sizes = [0 if iterators[i] == "reduction" and tail == root else 1 for i in range(len(tail_loops))]
        sizes[row], sizes[col] = tm, tn
        # Column blocks outside row blocks: one column panel of the weights is reused by every
        # row block while it is in cache. Dynamic loops (a batch) go inside the column blocks
        # too: the panel serves every batch entry, and the outermost loop, the one that
        # ember-parallelize-tiles shares among threads, has a trip count known here.
        others = [i for i, s in enumerate(sizes) if s and i not in (row, col)]
        dynamic_others = [i for i in others if tail_loops[i] == DYNAMIC]
        order = [i for i in others if i not in dynamic_others] + [col] + dynamic_others + [row]
        outer = [i if tail == root else out_dims[i] for i in others + [row]]  # as the root's loops
        if others and not dynamic_others and _panel_outweighs_stream(root, outer):
            # Weights larger than the image (ResNet's 3x3 convolutions from 128 channels on:
            # 0.6-9.4 MB of weights, 100-430 KB of image) are read once, column panel by column
            # panel, and the image once per panel, instead of all the weights once per output row.
            order = [col] + others + [row]
        peel = rows == DYNAMIC and tm > 1
        reductions = [int(it == "reduction") for it in iterators]
        if peel:
            block_loops = self._dynamic_rows(schedule, members, handles, root, sizes, row, col, tm, cols, lanes,
                                             reductions, registers)
        else:
            fused, loop = self._tile_fused(schedule, members, handles, sizes,
                                           order=order if self.columns_outer else None)
            # The reduction loops go inside the register block: one rank-1 update per step.
            schedule.tile(fused[root], reductions)
            block_loops = [loop]
        if window:
            # A convolution's window sums (oh + kh) become plain indices once the window and
            # channel dims are unit tiles: with unit dims dropped, each step of the reduction
            # loops is an elementwise multiply-add of a row block by a weight (and broadcast
            # epilogue operands lose their constant indices), which vectorizes.
            for loop in block_loops:
                schedule.add(_FOLD_UNIT_DIMS.format(loop))
        failure = _failure(group, schedule)
        if failure:
            return f"the tiling and fusion schedule failed ({failure})"
        if peel:  # the blocks' sizes, constants after peeling, become static tile shapes
            _whole_step_sizes(group)
            cleanup = _Schedule()
            cleanup.add(_CANONICALIZE)
            _apply(group, cleanup)
        _untag(group)
        _erase_dead(group)  # the originals of the ops fused into the tile loops
        for linalg_op in _linalg_ops_deep(group):
            if linalg_op.parent.operation == group:  # not tiled yet
                self._elementwise(group, linalg_op, collections.Counter())
                continue
            _strides_to_slices(linalg_op)
            if not self._vectorize(group, linalg_op):
                log.info("ember-tile-and-vectorize: a tile of %s stayed scalar: %s", _label(group), linalg_op)
        if window:
            _deinterleave_stride_two(group)
        if not window:
            # A matmul tile's step becomes a `vector.contract` (FMAs later) before any
            # canonicalization folds its unit reduction into a plain multiply and add.
            contract = _Schedule()
            contract.add(_CONTRACT)
            _apply(group, contract)
        return None

    def _dynamic_rows(self, schedule: "_Schedule", members: list, handles: dict, root, sizes: list, row: int,
                      col: int, tm: int, cols: int, lanes: int, reductions: list, registers: int) -> list[str]:
        """A dynamic row loop: row blocks outermost, in whole blocks of tm rows (peeled), then
        the rows left over (fewer than tm) in peeled blocks of halving powers of two (4, 2, 1
        for tm = 8); each block then tiled by columns as wide as its accumulators fit (tm rows
        x 2 registers, 1 row x 16), so that even a single row keeps 16 FMA chains in flight.
        Every tile is static. Rows outside columns read a weight panel per row block as
        columns outside rows do per column panel. Returns each block's column loop."""
        row_sizes = list(sizes)
        row_sizes[col] = 0
        order = [i for i, s in enumerate(row_sizes) if s and i != row] + [row]
        _, loop = self._tile_fused(schedule, members, handles, row_sizes, order=order)
        whole, rest = self._peel(schedule, loop)
        blocks = [(tm, whole)]
        block = 1 << (tm - 1).bit_length() - 1
        while rest is not None:
            level = [0] * len(sizes)
            level[row] = block
            _, loop = self._tile_fused(schedule, members, handles, level, scope=rest)
            full, rest = self._peel(schedule, loop) if block > 1 else (loop, None)
            blocks.append((block, full))
            block //= 2
        schedule.add(_DCE)  # the clones for `tensor.dim`s that the last fusion left
        column_loops = []
        for block_rows, scope in blocks:
            widths = [0] * len(sizes)
            widths[col] = _vector_tile(cols, max(1, registers // block_rows) * lanes, lanes)
            fused, loop = self._tile_fused(schedule, members, handles, widths, scope=scope)
            schedule.tile(fused[root], reductions)
            column_loops.append(loop)
        return column_loops

    def _tile_fused(self, schedule: "_Schedule", members: list, handles: dict, sizes: list, scope: str | None = None,
                    order: list | None = None) -> tuple[dict, str]:
        """Tiles the group's tail by `sizes` and fuses its producers into the innermost new loop;
        `scope`: the members are their copies inside that loop (as tiling and peeling left them).
        Returns each member's handle in the new loop, and the loop."""
        if scope is not None:
            handles = {m: schedule.find(handles[m], scope) for m in members}
        tail = members[-1]
        tiled, loops = schedule.tile(handles[tail], sizes, order)
        return self._fuse_producers(schedule, members, {tail: tiled}, handles, loops[-1]), loops[-1]

    @staticmethod
    def _peel(schedule: "_Schedule", loop: str) -> tuple[str, str]:
        """Peels the tile `loop` into whole steps and the rest; then erases dead ops: the
        full-size clones of producers that fusion left for the `tensor.dim`s of dynamic results
        (they carry the same tags). Not a canonicalization: that would fold the rest's tile
        sizes into forms in which the next peel no longer proves its whole steps whole.
        Returns (whole, rest)."""
        whole, rest = schedule.peel(loop)
        schedule.add(_DCE)
        return whole, rest

    @staticmethod
    def _fuse_producers(schedule: "_Schedule", members: list, fused: dict, handles: dict, loop: str) -> dict:
        """Fuses the group's producers of the tail (fused[tail], tiled) into the tile `loop`,
        consumers first (each producer then has its use in the loop); returns each member's
        handle in the loop. The tail's own init reaches the loops as their iter_args, not as a
        slice to fuse: it stays outside, as an op of its own."""
        tail = members[-1]
        tail_inits = {v.owner.operation for v in tail.operands[len(tail.operands) - len(tail.results):]
                      if not isinstance(v.owner, ir.Block)}
        for member in reversed(members[:-1]):
            if member not in tail_inits:
                fused[member] = schedule.fuse_into(handles[member], loop)
        return fused

    def _elementwise(self, scope: ir.Operation, op: ir.Operation, counts: collections.Counter) -> None:
        """Tiles one op down to vector-sized tiles and vectorizes them."""
        label = _label(op)
        if "indexing_maps" not in op.attributes:
            return _refuse(counts, label, "vector tiles", "an op without indexing maps")
        ranges = _loop_ranges(op)
        if ranges is None:
            return _refuse(counts, label, "vector tiles", "a loop that indexes no operand dim")
        if 0 in ranges:  # empty: upstream's tiling asserts on a zero extent
            return _refuse(counts, label, "vector tiles", "an empty loop")
        if all(r == 1 for r in ranges):
            # Upstream's vectorizer makes an invalid rank-0 `vector.gather` of a tensor.extract
            # there (nll_loss backward of a 1-D input), and one element gains nothing from it.
            return _refuse(counts, label, "vector tiles", "a single element (nothing to vectorize)")
        iterators = iterator_types(op)
        if any(r == DYNAMIC and it != "parallel" for r, it in zip(ranges, iterators)):
            return _refuse(counts, label, "vector tiles", "a dynamic reduction loop")
        reduction_elements = 1
        for r, it in zip(ranges, iterators):
            if it == "reduction":
                reduction_elements *= r
        if reduction_elements > self.vector_elements * 4:
            return _refuse(counts, label, "vector tiles", f"reductions of {reduction_elements} elements (the most: "
                           f"{self.vector_elements * 4}, 4x vector-elements)")
        # LLVM turns vector math it has no instruction for into one libm call per element, and
        # spills the steps of a long integer chain: a tile of one register keeps that code small.
        small = _calls_libm(op) or _long_integer_chain(op)
        budget = self.vector_bits // 32 if small else self.vector_elements
        sizes, elements = [0] * len(ranges), reduction_elements
        for i in reversed(range(len(ranges))):
            if iterators[i] != "parallel":
                continue
            if ranges[i] == DYNAMIC:  # tiles of one: no remainder, and the static dims inside make the vectors
                sizes[i] = 1
                continue
            sizes[i] = _largest_divisor(ranges[i], max(1, budget // elements))
            elements *= sizes[i]
        if not any(sizes):  # a reduction to one scalar: no loops to tile, vectorized whole
            if self._vectorize(scope, op):
                counts["vector tiles"] += 1
            else:
                _refuse(counts, label, "vector tiles", "the vectorization failed (left scalar)")
            return
        schedule = _Schedule()
        _, loops = schedule.tile(schedule.tag(op), sizes)
        # Unit dims dropped: broadcasts of [C, 1, 1] operands index with constants otherwise,
        # which the vectorizer rejects.
        schedule.add(_FOLD_UNIT_DIMS.format(loops[-1]))
        schedule.add(f"""%tiles = transform.structured.match interface{{LinalgOp}} in {loops[-1]} : (!transform.any_op) -> !transform.any_op
    transform.foreach %tiles : !transform.any_op {{
    ^bb0(%tile: !transform.any_op):
      transform.structured.vectorize %tile : !transform.any_op
    }}""")
        if _apply(scope, schedule):
            counts["vector tiles"] += 1
        else:
            _refuse(counts, label, "vector tiles", "the tiling or vectorization failed (left tiled or scalar)")
        _untag(scope)

    def _vectorize(self, scope: ir.Operation, op: ir.Operation) -> bool:
        schedule = _Schedule()
        handle = schedule.tag(op)
        schedule.add(f"transform.structured.vectorize {handle} : !transform.any_op")
        done = _apply(scope, schedule)
        _untag(scope)
        return done

    def _lower_vectors(self, func: ir.Operation, transposes: bool = True) -> None:
        """Cleans up the vectorized IR, hoists accumulators out of reduction loops (innermost
        loop first, so that they climb as far as they are invariant) and lowers the vector ops
        toward LLVM. A transposed accumulator (an NCHW output tile computed channels-inner) is
        then carried as the loop computes it and transposed once per tile, not on every
        reduction step (`_carried_transposes_outside`); hoisting runs again after permuted
        transfers are split and `vector.contract`s formed, for what they leave. `transposes`:
        whether `vector.transpose`s are lowered (to shuffles) too. The run per fusion group
        leaves them: its hoisting may not reach an accumulator that the function's run does,
        and the shuffles would hide the transposes from it."""
        cleanup = _Schedule()
        cleanup.add("""transform.apply_patterns to %root {
      transform.apply_patterns.linalg.tiling_canonicalization
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %root : !transform.any_op""")
        contract = _Schedule()
        contract.add("""transform.apply_patterns to %root {
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %root : !transform.any_op""")
        lower = _Schedule()
        lower.add("""transform.apply_patterns to %root {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerreduction"
      TRANSPOSES
      transform.apply_patterns.canonicalization
    } : !transform.any_op""".replace("TRANSPOSES", 'transform.apply_patterns.vector.lower_transpose lowering_strategy'
                                     ' = "shuffle_1d"' if transposes else ""))
        for schedule in (cleanup, self._hoisting, contract, self._hoisting, lower):
            if callable(schedule):
                schedule = schedule(func)  # tags the loops as they are now
            if schedule.lines and not _apply(func, schedule):
                raise RuntimeError("ember-tile-and-vectorize: the vector clean-up schedule failed")
            _untag(func)
            if schedule is lower:
                _sums_in_any_order(func)
            if schedule is not lower and schedule is not cleanup:
                _carried_transposes_outside(func)
                _transposed_broadcasts_as_column_splats(func)

    @staticmethod
    def _hoisting(func: ir.Operation) -> "_Schedule":
        schedule = _Schedule()
        for loop in _loops_innermost_first(func):
            schedule.add(f"transform.loop.hoist_loop_invariant_subsets {schedule.tag(loop)} : !transform.any_op")
        return schedule


def _loops_innermost_first(op: ir.Operation) -> list[ir.Operation]:
    return ops_named(op, "scf.for", ir.WalkOrder.POST_ORDER)


def _sums_in_any_order(scope: ir.Operation) -> None:
    """Float `vector.reduction <add>`s (a row sum: a layer norm's mean and variance, a softmax's
    denominator) may add their lanes in any order (`fastmath<reassoc>`): LLVM then sums the
    vector's registers pairwise and each register's lanes as a tree, where it otherwise adds
    the elements one after another, each waiting on the last (a 256-element row: 256 dependent
    additions; a layer norm of 128 such rows spent most of its time there). Pairwise sums also
    round less than one chain; eager's vectorized sums reassociate likewise."""
    reassociate = ir.Attribute.parse("#arith.fastmath<reassoc>")
    for reduction in ops_named(scope, "vector.reduction"):
        kind = str(reduction.attributes["kind"])
        vector_type = ir.VectorType(reduction.operands[0].type)
        if "add" in kind and isinstance(vector_type.element_type, ir.FloatType) and vector_type.shape[0] > 1:
            reduction.attributes["fastmath"] = reassociate


def _carried_transposes_outside(scope: ir.Operation) -> int:
    """Loops that carry a vector in one layout and transpose it on every trip (`T(arg)` its only
    use, the inverse transpose of the new value yielded: an NCHW convolution's output tile,
    hoisted in the output's layout, that the loop computes channels-inner) carry it transposed
    instead, with one transpose before the loop and one after. Innermost loop first and again
    until none changes, so that the transposes climb out of a whole reduction nest: a 3x3
    convolution over 64 channels made 2 x 576 transposes of its register block per tile.
    Upstream's hoisting moves loop-invariant subsets, not layout changes. Returns the count."""
    hoisted = 0
    while any(_carry_transposed(loop) for loop in _loops_innermost_first(scope)):
        hoisted += 1
    return hoisted


def _transposed_broadcasts_as_column_splats(scope: ir.Operation) -> None:
    """`transpose(broadcast(v : vector<N> to MxN), [1, 0])`, the image row of a channels-inner
    convolution step that each block row needs as a splat of one of its elements, becomes
    `broadcast(shape_cast(v) : vector<Nx1> to NxM)`: N splats instead of a shuffle of M x N
    lanes on every reduction step."""
    for transpose in ops_named(scope, "vector.transpose"):
        source = transpose.operands[0].owner
        if not isinstance(source, ir.OpView) or source.name != "vector.broadcast" \
                or list(ir.DenseI64ArrayAttr(transpose.attributes["permutation"])) != [1, 0]:
            continue
        row = source.operands[0].type
        if not isinstance(row, ir.VectorType) or ir.VectorType(row).rank != 1:
            continue
        row = ir.VectorType(row)
        with ir.InsertionPoint(transpose), transpose.location:
            column = vector.shape_cast(ir.VectorType.get([row.shape[0], 1], row.element_type), source.operands[0])
            splats = vector.broadcast(transpose.results[0].type, column)
        transpose.results[0].replace_all_uses_with(splats)
        transpose.erase()


def _carry_transposed(loop: ir.Operation) -> bool:
    body = loop.regions[0].blocks[0]
    terminator = list(body.operations)[-1]
    for k, argument in enumerate(list(body.arguments)[1:]):
        uses = list(argument.uses)
        into = uses[0].owner if len(uses) == 1 else None
        yielded = terminator.operands[k]
        back = yielded.owner
        if not isinstance(into, ir.OpView) or into.name != "vector.transpose" or not isinstance(back, ir.OpView) \
                or back.name != "vector.transpose" or len(list(yielded.uses)) != 1:
            continue
        forward = list(ir.DenseI64ArrayAttr(into.attributes["permutation"]))
        inverse = list(ir.DenseI64ArrayAttr(back.attributes["permutation"]))
        if [forward[i] for i in inverse] != list(range(len(forward))):
            continue
        carried = into.results[0].type
        with ir.InsertionPoint(loop), loop.location:
            loop.operands[3 + k] = vector.transpose(carried, loop.operands[3 + k], forward)
        argument.set_type(carried)
        into.results[0].replace_all_uses_with(argument)
        into.operation.erase()
        terminator.operands[k] = back.operands[0]
        back.operation.erase()
        result = loop.results[k]
        users, layout = [(use.owner, use.operand_number) for use in result.uses], result.type
        result.set_type(carried)
        with ir.InsertionPoint(loop), loop.location:
            restored = vector.transpose(layout, result, inverse)
        restored.owner.move_after(loop)
        for owner, number in users:
            owner.operands[number] = restored
        return True
    return False



WHOLE_STEPS = "ember.whole_steps"


def _whole_step_sizes(scope: ir.Operation) -> None:
    """In the loops that peeling left with whole steps only (marked WHOLE_STEPS), a tile's size
    along the loop, `affine.min(step, extent - iv)`, is the step: replaced by it. Peeling
    simplifies these itself, but not where tiling composed the extent into the min's map
    (`min(4, n - i - j)` in a loop up to `n - i` rounded down), which leaves the block's tiles
    dynamic (scalar code)."""
    for loop in ops_named(scope, "scf.for"):
        if WHOLE_STEPS not in loop.attributes:
            continue
        del loop.attributes[WHOLE_STEPS]
        step = constant_int(loop.operands[2])
        iv = loop.regions[0].blocks[0].arguments[0]
        for op in list(loop.regions[0].blocks[0].operations):
            if op.operation.name != "affine.min" or iv not in list(op.operands):
                continue
            results = ir.AffineMapAttr(op.attributes["map"]).value.results
            if not any(isinstance(e, ir.AffineConstantExpr) and e.value == step for e in results):
                continue
            with ir.InsertionPoint(op), op.location:
                size = arith.ConstantOp(ir.IndexType.get(), step).result
            op.results[0].replace_all_uses_with(size)
            op.erase()


def _erase_dead(group: ir.Operation) -> None:
    """Erases the linalg ops without uses (the originals of ops fused into tile loops), in the
    group and in its loops, consumers before their producers (which then have no uses either)."""
    ops = []

    def visit(inner):
        if inner != group and kind_of(inner) is not None:
            ops.append(inner)
        return ir.WalkResult.ADVANCE

    group.walk(visit, ir.WalkOrder.PRE_ORDER)
    for op in reversed(ops):  # a block's ops in reverse order; nested loops' ops before their loop's producers
        if all(len(list(r.uses)) == 0 for r in op.results):
            op.erase()


def _functions(op: ir.Operation) -> list[ir.Operation]:
    return [f.operation for f in op.regions[0].blocks[0].operations if f.operation.name == "func.func"]


def _linalg_ops_deep(op: ir.Operation) -> list[ir.Operation]:
    found = []

    def visit(inner):
        if inner != op and kind_of(inner) is not None:
            found.append(inner)
            return ir.WalkResult.SKIP
        return ir.WalkResult.ADVANCE

    op.walk(visit, ir.WalkOrder.PRE_ORDER)
    return found

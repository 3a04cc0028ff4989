"""ember-fuse-groups: partitions each function's linalg ops into `ember.fusion_group`s, the
ops of one future loop nest.

Matches the linalg ops at the top level of every `func.func` (after
`linalg-generalize-named-ops`; named ops are classified the same way) and produces
`ember.fusion_group` ops whose body holds the member ops and ends in `gpu.yield` of the value
used after the group. The `kind` attribute says which rule formed it:
- "contraction": a linalg op with a reduction loop whose body multiplies and accumulates
  (matmul, batch matmul, convolution), the all-parallel op that initializes its output (a fill
  or a bias broadcast), and the chain of all-parallel consumers of its result (bias, activation,
  residual add). Consumers only: an elementwise *producer* is never fused into a contraction's
  inputs, where it would be recomputed for every step of the reduction.
- "reduction": any other op with a reduction loop (softmax, layer norm, sums, max) together
  with the all-parallel ops and reshapes that feed on it and on each other.
- "elementwise": a chain of all-parallel ops (and the reshapes between them) with no reduction.
The group sits where its last member was; its body uses values from outside directly (the op
is not isolated from above) and yields the one member value used after it. One: IRDL checks
every element of a variadic against a single type variable, so results could not differ in
type; a run of ops that would need several results is cut into consecutive groups. An op joins
a group only where every use stays after its definition. `ember-dissolve-groups` undoes this.
"""

from mlir import ir

from ember.passes.registry import EmberPass, register_pass
from ember.passes.walk import iterator_types

_RESHAPES = frozenset({"tensor.expand_shape", "tensor.collapse_shape"})


# Named ops whose iterator types are not attributes (before generalization).
_NAMED_PARALLEL = frozenset({"linalg.fill", "linalg.transpose", "linalg.broadcast", "linalg.copy",
                             "linalg.add", "linalg.sub", "linalg.mul", "linalg.div", "linalg.map",
                             "linalg.elementwise", "linalg.exp", "linalg.max", "linalg.min"})
_NAMED_CONTRACTION_PREFIXES = ("linalg.matmul", "linalg.batch_matmul", "linalg.matvec", "linalg.vecmat",
                               "linalg.conv_", "linalg.depthwise_conv", "linalg.contract", "linalg.dot")


def kind_of(op: ir.Operation) -> str | None:
    """'contraction', 'reduction' or 'parallel' for a linalg op, None for anything else."""
    if op.name.startswith(_NAMED_CONTRACTION_PREFIXES):
        return "contraction"
    if op.name in _NAMED_PARALLEL:
        return "parallel"
    if op.name == "linalg.reduce" or op.name.startswith("linalg.pooling_") or op.name == "linalg.softmax":
        return "reduction"
    iterators = iterator_types(op) if op.name.startswith("linalg.") else None
    if iterators is None:
        return None
    if "reduction" not in iterators:
        return "parallel"
    return "contraction" if _multiplies_and_accumulates(op) else "reduction"


def _multiplies_and_accumulates(op: ir.Operation) -> bool:
    """A generic whose body is `out + a * b` (possibly with casts): a generalized matmul/conv."""
    body = [o.name for o in op.regions[0].blocks[0].operations]
    has_mul = any(n in ("arith.mulf", "arith.muli") for n in body)
    has_add = any(n in ("arith.addf", "arith.addi") for n in body)
    return has_mul and has_add and len(op.operands) - len(op.results) >= 2


def _identity_result(op: ir.Operation, operand_index: int) -> bool:
    """Whether an all-parallel `op` reads operand `operand_index` with the same map as its output,
    i.e. element i of its result depends only on element i of that operand."""
    if "indexing_maps" not in op.attributes:
        return op.name in _NAMED_PARALLEL and op.name not in ("linalg.transpose", "linalg.broadcast")
    maps = list(op.attributes["indexing_maps"])
    return str(maps[operand_index]) == str(maps[-1]) and ir.AffineMapAttr(maps[-1]).value.is_permutation


class _Group:
    def __init__(self, kind: str, first: ir.Operation):
        self.kind = kind
        self.ops: list[ir.Operation] = [first]
        self.tail = first  # contraction groups: the op whose result the epilogue continues

    def values(self):
        for op in self.ops:
            yield from op.results


class _Partitioner:
    def __init__(self, block: ir.Block):
        self.ops = list(block.operations)
        self.position = {op: i for i, op in enumerate(self.ops)}
        self.group_of: dict = {}
        self.groups: list[_Group] = []

    def _uses_ok(self, group: _Group, joining: ir.Operation) -> bool:
        """Every outside use of a member's result comes after `joining` (the group will sit
        where its last member is)."""
        here = self.position[joining]
        for value in group.values():
            for use in value.uses:
                user = _top_level(use.owner, self.position)
                if user is None or user in group.ops or user == joining:
                    continue
                if self.position[user] < here:
                    return False
        return True

    def _join(self, group: _Group, op: ir.Operation) -> None:
        group.ops.append(op)
        self.group_of[op] = group

    def _start(self, kind: str, op: ir.Operation) -> _Group:
        group = _Group(kind, op)
        self.groups.append(group)
        self.group_of[op] = group
        return group

    def _producer_group(self, value: ir.Value) -> _Group | None:
        owner = value.owner
        if isinstance(owner, ir.Block):
            return None
        return self.group_of.get(owner.operation if hasattr(owner, "operation") else owner)

    def _absorb_init(self, group: _Group, op: ir.Operation) -> None:
        """Pulls the single-use all-parallel op that initializes `op`'s output into the group."""
        n_inits = len(op.results)
        for init in list(op.operands)[len(op.operands) - n_inits:]:
            producer = init.owner
            if isinstance(producer, ir.Block):
                continue
            producer = producer.operation
            if producer in self.position and producer not in self.group_of and _is_init(producer):
                group.ops.insert(group.ops.index(op), producer)
                self.group_of[producer] = group

    def run(self) -> list[_Group]:
        for op in self.ops:
            if op in self.group_of:
                continue
            kind = kind_of(op)
            if kind is None:
                if op.name in _RESHAPES:
                    self._place_reshape(op)
                continue
            if kind == "contraction":
                group = self._start("contraction", op)
                self._absorb_init(group, op)
            elif _is_init(op):
                continue  # joins the group of the op whose output it initializes
            else:
                self._place(op, kind)
        return self.groups

    def _place(self, op: ir.Operation, kind: str) -> None:
        candidates = []
        for index, operand in enumerate(op.operands[: len(op.operands) - len(op.results)]):
            group = self._producer_group(operand)
            if group is None or group in candidates:
                continue
            if group.kind == "contraction":
                # An epilogue: continues the contraction's single result element by element.
                if kind == "parallel" and operand == group.tail.results[0] and _single_use(operand) \
                        and _identity_result(op, index) and len(op.results) == 1:
                    candidates.append(group)
                continue
            candidates.append(group)
        for group in candidates:
            if self._uses_ok(group, op):
                if group.kind == "elementwise" and kind == "reduction":
                    group.kind = "reduction"
                self._join(group, op)
                self._absorb_init(group, op)
                if group.kind == "contraction":
                    group.tail = op
                return
        group = self._start("reduction" if kind == "reduction" else "elementwise", op)
        self._absorb_init(group, op)

    def _place_reshape(self, op: ir.Operation) -> None:
        group = self._producer_group(op.operands[0])
        if group is not None and group.kind != "contraction" and self._uses_ok(group, op):
            self._join(group, op)


def _top_level(op: ir.Operation, position: dict) -> ir.Operation | None:
    """The op of the partitioned block that holds `op`."""
    while op is not None and op not in position:
        op = op.parent.operation if op.parent is not None else None
    return op


def _single_use(value: ir.Value) -> bool:
    return len(list(value.uses)) == 1


def _is_init(op: ir.Operation) -> bool:
    """A fill or broadcast of constants whose single use is the output operand of a linalg op:
    it belongs to that op's group."""
    if kind_of(op) != "parallel" or len(op.results) != 1 or not _single_use(op.results[0]):
        return False
    if any(_outside_value(v) for v in op.operands[: len(op.operands) - 1]):
        return False
    use = next(iter(op.results[0].uses))
    user = use.owner
    return kind_of(user) is not None and use.operand_number >= len(user.operands) - len(user.results)


def _outside_value(value: ir.Value) -> bool:
    """Whether `value` carries data computed at run time (not a constant)."""
    owner = value.owner
    return isinstance(owner, ir.Block) or owner.operation.name != "arith.constant"


def _walk(region: ir.Region):
    for block in region.blocks:
        for op in block.operations:
            yield op.operation
            for r in op.regions:
                yield from _walk(r)


def _inside(op: ir.Operation, ancestor: ir.Operation) -> bool:
    while op is not None:
        if op == ancestor:
            return True
        op = op.parent.operation if op.parent is not None else None
    return False


def _outputs(ops: list) -> list[ir.Value]:
    """Results of `ops` used outside them."""
    return [r for op in ops for r in op.results
            if any(not any(_inside(use.owner, m) for m in ops) for use in r.uses)]


def _single_output_runs(group: _Group) -> list[_Group]:
    """Cuts a group into consecutive runs of ops with at most one result each (see above)."""
    ops, runs = group.ops, []
    while ops:
        cut = next((n for n in range(len(ops), 0, -1) if len(_outputs(ops[:n])) <= 1), 0)
        if cut == 0:  # one op with several results: it stays out of any group
            ops = ops[1:]
            continue
        run = _Group(group.kind, ops[0])
        run.ops = ops[:cut]
        kinds = {kind_of(op) for op in run.ops}
        if "contraction" not in kinds:
            run.kind = "reduction" if "reduction" in kinds else "elementwise"
        runs.append(run)
        ops = ops[cut:]
    return runs


def build_group(group: _Group) -> ir.Operation:
    """Moves the group's ops into one `ember.fusion_group` at the place of its last member."""
    last = group.ops[-1]
    outputs = _outputs(group.ops)
    with ir.InsertionPoint(last), last.location:
        fusion = ir.Operation.create(
            "ember.fusion_group",
            results=[v.type for v in outputs],
            attributes={"kind": ir.StringAttr.get(group.kind)},
            regions=1,
        )
    fusion.move_after(last)
    block = fusion.regions[0].blocks.append()
    with ir.InsertionPoint(block), last.location:
        terminator = ir.Operation.create("gpu.yield", operands=outputs)
    for value, result in zip(outputs, fusion.results):
        for use in list(value.uses):
            if use.owner != terminator and not any(_inside(use.owner, m) for m in group.ops):
                use.owner.operands[use.operand_number] = result
    for op in group.ops:  # members keep their order
        op.move_before(terminator)
    return fusion


@register_pass
class FuseGroups(EmberPass):
    NAME = "ember-fuse-groups"
    SUMMARY = "Partitions linalg ops into ember.fusion_group ops (contraction+epilogue, reduction, elementwise)"

    def run(self, op):
        for func in _walk(op.regions[0]):
            if func.name != "func.func":
                continue
            for block in func.regions[0].blocks:
                for group in _Partitioner(block).run():
                    for run in _single_output_runs(group):
                        build_group(run)

"""The launch plan of a cuda-compiled module: what its host code does, as data.

After `ember-cuda` the entry's host code only names buffers and launches kernels
(`ember-gpu-host-kernels` sees to that). `launch_plan` reads it into a plan that the cuda
runtime (ember.runtime.cuda) follows with the CUDA driver alone, without MLIR:

- `launches`: in order, each kernel's module and function, grid and block sizes, and its
  parameters as the NVVM calling convention lays them out: a memref is (allocated pointer,
  aligned pointer, offset, sizes..., strides...), each pointer a buffer reference;
- a buffer reference is `["arg", k]` (the entry's k-th buffer argument: inputs, then outputs),
  `["arena", byte offset]` or `["weight", name]`;
- `status`: the arena offset of the status word that the kernels' runtime checks write;
- `weights`: each global's shape, dtype and blob name; `modules`: each kernel module's chip,
  PTX blob and, where ptxas was installed when it was compiled, its cubin for that chip.

Compile side: needs the `mlir` bindings. Raises LoweringError for host code outside that set.
"""

import os
import subprocess
import tempfile

import numpy as np
from mlir import ir
from mlir.dialects import gpu

from ember.errors import LoweringError
from ember.passes.entry_point import ARENA, ENTRY, marked_argument
from ember.runtime.cuda_toolkit import ptxas

# numpy dtypes of the element types a weight may have.
_DTYPES = {"f32": "float32", "f64": "float64", "f16": "float16", "i64": "int64", "i32": "int32",
           "i16": "int16", "i8": "int8", "i1": "bool", "bf16": "bfloat16"}
_ALIASES = {"memref.expand_shape", "memref.collapse_shape", "memref.cast", "memref.subview",
            "memref.reinterpret_cast"}


def _constant(op) -> list:
    attr = op.attributes["value"]
    kind = str(op.result.type)
    if isinstance(attr, ir.FloatAttr):
        return [kind, ir.FloatAttr(attr).value]
    return ["i64" if kind == "index" else kind, ir.IntegerAttr(attr).value]


def _memref_params(reference: list, memref_type: ir.MemRefType, where) -> list:
    if not memref_type.has_static_shape:
        raise LoweringError(f"the cuda runtime takes static shapes only; {where} passes a {memref_type}")
    strides, offset = memref_type.get_strides_and_offset()
    return [["ptr", reference], ["ptr", reference], ["i64", offset],
            *[["i64", s] for s in memref_type.shape], *[["i64", s] for s in strides]]


def launch_plan(module: ir.Module, name: str) -> tuple[dict, dict[str, bytes]]:
    """The plan and its blobs (PTX per kernel module, bytes per weight) of `module`."""
    body = module.body
    entry = next(op for op in body.operations if op.operation.name == "func.func" and ENTRY in op.attributes)
    arena = marked_argument(entry, ARENA)
    values, arguments = {}, []
    for k, argument in enumerate(entry.regions[0].blocks[0].arguments):
        if isinstance(argument.type, ir.MemRefType) and argument != arena:
            values[argument] = ["arg", k]
            arguments.append(k)
        elif isinstance(argument.type, ir.IntegerType) and ir.IntegerType(argument.type).width == 64:
            values[argument] = ["seed"]  # ember-caller-seed's per-call seed
    launches, status, constants = [], None, {}
    for op in entry.regions[0].blocks[0].operations:
        op = op.operation
        kind = op.name
        if kind == "arith.constant":
            constants[op.result] = _constant(op)
        elif kind == "memref.view" and op.operands[0] == arena:
            offset = constants.get(op.operands[1])
            if offset is None:
                raise LoweringError(f"{name}: an arena view at a dynamic offset ({op.location})")
            values[op.result] = ["arena", offset[1]]
        elif kind == "memref.get_global":
            values[op.result] = ["weight", ir.FlatSymbolRefAttr(op.attributes["name"]).value]
        elif kind in _ALIASES and op.operands[0] in values:
            values[op.result] = values[op.operands[0]]
        elif kind == "gpu.launch_func":
            launches.append(_launch(op.opview, values, constants, name))
        elif kind == "memref.load" and op.operands[0] in values and values[op.operands[0]][0] == "arena":
            status = values[op.operands[0]][1]
        elif kind == "func.return":
            pass
        else:
            raise LoweringError(f"{name}: the cuda runtime does not run '{kind}' on the host ({op.location});"
                                " ember-gpu-host-kernels should have made it a kernel")
    if status is None:
        raise LoweringError(f"{name}: the entry reads no status word from the arena (ember-entry-point{{status-in-arena=1}})")
    used = {r[1] for launch in launches for kind, r in launch["params"] if kind == "ptr" and r[0] == "weight"}
    plan = {"arguments": arguments, "launches": launches, "status": status, "weights": {}, "modules": {}}
    blobs = {}
    for op in body.operations:
        op = op.operation
        if op.name == "memref.global" and op.attributes["sym_name"].value in used:
            weight = op.attributes["sym_name"].value
            array = _weight(op, name)
            plan["weights"][weight] = {"shape": list(array.shape), "dtype": str(array.dtype), "blob": f"weights/{weight}"}
            blobs[f"weights/{weight}"] = np.ascontiguousarray(array).tobytes()
        elif op.name == "gpu.binary":
            module_name = op.attributes["sym_name"].value
            obj = gpu.ObjectAttr(ir.ArrayAttr(op.attributes["objects"])[0])
            chip = str(obj.target).split('chip = "')[1].split('"')[0]
            ptx = bytes(obj.object)
            entry = plan["modules"][module_name] = {"ptx": f"kernels/{module_name}.ptx", "chip": chip}
            blobs[entry["ptx"]] = ptx
            cubin = _assemble(ptx, chip)
            if cubin is not None:
                entry["cubin"] = f"kernels/{module_name}.cubin"
                blobs[entry["cubin"]] = cubin
    return plan, blobs


def _assemble(ptx: bytes, chip: str) -> bytes | None:
    """The kernel module as a cubin for `chip` where ptxas is installed (a device of that chip
    then loads it without JIT-compiling the PTX); None without ptxas."""
    assembler = ptxas()
    if assembler is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = os.path.join(folder, "kernel.ptx"), os.path.join(folder, "kernel.cubin")
        with open(source, "wb") as f:
            f.write(ptx)
        done = subprocess.run([assembler, f"-arch={chip}", source, "-o", target], capture_output=True, text=True)
        if done.returncode:
            raise LoweringError(f"ptxas rejected a kernel for {chip}:\n{done.stderr}")
        with open(target, "rb") as f:
            return f.read()


def _launch(launch, values: dict, constants: dict, name: str) -> dict:
    sizes = [launch.gridSizeX, launch.gridSizeY, launch.gridSizeZ, launch.blockSizeX, launch.blockSizeY, launch.blockSizeZ]
    if any(s not in constants for s in sizes):
        raise LoweringError(f"{name}: a kernel launched with dynamic grid or block sizes ({launch.location})")
    module_name, function = str(launch.attributes["kernel"]).lstrip("@").split("::@")
    params = []
    for operand in launch.kernelOperands:
        if isinstance(operand.type, ir.MemRefType):
            if operand not in values:
                raise LoweringError(f"{name}: a kernel argument the cuda runtime cannot name ({launch.location})")
            params += _memref_params(values[operand], ir.MemRefType(operand.type), launch.location)
        elif operand in constants:
            params.append(constants[operand])
        elif operand in values:
            params.append(["i64", values[operand]])
        else:
            raise LoweringError(f"{name}: a kernel argument computed on the host ({launch.location})")
    return {"module": module_name, "function": function, "grid": [constants[s][1] for s in sizes[:3]],
            "block": [constants[s][1] for s in sizes[3:]], "params": params}


def _weight(op, name: str) -> np.ndarray:
    memref_type = ir.MemRefType(ir.TypeAttr(op.attributes["type"]).value)
    attr = op.attributes["initial_value"]
    try:
        array = np.array(ir.DenseElementsAttr(attr))
    except (ValueError, TypeError):
        raise LoweringError(f"{name}: the weight @{op.attributes['sym_name'].value} ({memref_type}) is not readable"
                            " as dense elements for the cuda runtime") from None
    return array.reshape(memref_type.shape)

"""`ember export`: a compiled model as a C library, `libNAME.so` and `NAME.h`, that runs without
Python, torch or any MLIR runtime.

The library is the artifact's object code (the same code `ember.load` runs) plus a small
generated C layer that builds the memref descriptors of ember's entry ABI from plain pointers:

    NAME_context *NAME_create(int threads);   // one caller's arena and thread count
    int NAME_run(NAME_context *, const void *const *inputs, void *const *outputs);
    const char *NAME_error_message(int status);
    void NAME_destroy(NAME_context *);
    void NAME_seed(NAME_context *, uint64_t seed);  // only for a model that draws random numbers

The code keeps no state outside the context, so two contexts may run at once on two threads.
A model that draws random numbers (dropout in training mode, rand, ...) takes a seed per run
(`ember-caller-seed`): the context's, which starts at 0 (`NAME_seed` sets it) and moves on
by one SplitMix64 step per run, so each run draws new numbers, and the same seed the same ones.
Only the `NAME_*` symbols are exported. The library links libc and libm, and the OpenMP runtime
(libiomp5, from the intel-openmp wheel) when the model has parallel loops.
"""

import math
import os
import re

from ember.errors import EmberError
from ember.runtime.artifact import Artifact
from ember.runtime.c_build import link_shared, runtime_sources
from ember.runtime.jit import object_code
from ember.runtime.native import ALIGNMENT, Abi
from ember.runtime.openmp import libiomp5_path

C_TYPES = {
    "float32": "float", "float64": "double", "float16": "uint16_t", "bfloat16": "uint16_t",
    "int64": "int64_t", "int32": "int32_t", "int16": "int16_t", "int8": "int8_t", "uint8": "uint8_t",
    "bool": "uint8_t",
}


def c_name(name: str) -> str:
    """A C identifier from a model name."""
    name = re.sub(r"\W", "_", name)
    return name if name and not name[0].isdigit() else f"model_{name}"


def _descriptor(variable: str, pointer: str, shape: tuple[int, ...]) -> str:
    strides = [math.prod(shape[i + 1:]) for i in range(len(shape))]
    sizes = "".join(f", {{{', '.join(map(str, shape))}}}, {{{', '.join(map(str, strides))}}}" if shape else "")
    return f"    struct memref_{len(shape)} {variable} = {{{pointer}, {pointer}, 0{sizes}}};\n"


def _c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def header(artifact: Artifact, name: str) -> str:
    signature = artifact.signature
    lines = [f"/* {name}.h: the C interface of the ember-compiled model {signature.name}.",
             f" * {signature}",
             " *",
             " * inputs[i] and outputs[i] point at caller-owned, contiguous (row-major) buffers:"]
    for kind, specs in (("input", signature.inputs), ("output", signature.entry_outputs)):
        for i, spec in enumerate(specs):
            what = C_TYPES.get(spec.dtype, spec.dtype)
            lines.append(f" *   {kind} {i} ({spec.name}): {what}[{']['.join(map(str, spec.shape)) or ''}]"
                         f" ({math.prod(spec.shape)} elements)")
    if signature.mutated_inputs:
        lines.append(" * The first outputs are the new values of the inputs the model writes in place.")
    lines += [" */", f"#ifndef {name.upper()}_H", f"#define {name.upper()}_H", "",
              *(["#include <stdint.h>", ""] if artifact.abi.seeded else []),
              "#ifdef __cplusplus", 'extern "C" {', "#endif", "",
              f"#define {name.upper()}_NUM_INPUTS {len(signature.inputs)}",
              f"#define {name.upper()}_NUM_OUTPUTS {len(signature.entry_outputs)}", "",
              f"typedef struct {name}_context {name}_context;", "",
              "/* A context: one caller's scratch memory and the threads its calls run on (>= 1).",
              " * NULL when out of memory. Contexts are independent: use one per thread. */",
              f"{name}_context *{name}_create(int threads);",
              f"void {name}_destroy({name}_context *context);", "",
              *([f"/* The model draws random numbers: each run takes the next seed of the context's",
                 " * sequence (SplitMix64), which starts at 0; this restarts it. */",
                 f"void {name}_seed({name}_context *context, uint64_t seed);", ""] if artifact.abi.seeded else []),
              "/* Runs the model. Returns 0, or an error status (a failed runtime check, such as an",
              " * index out of range); then the outputs hold no valid result. */",
              f"int {name}_run({name}_context *context, const void *const *inputs, void *const *outputs);", "",
              "/* A message for a status that run returned. */",
              f"const char *{name}_error_message(int status);", "",
              "#ifdef __cplusplus", "}", "#endif", f"#endif /* {name.upper()}_H */", ""]
    return "\n".join(lines)


def wrapper_source(artifact: Artifact, name: str) -> str:
    signature, abi = artifact.signature, artifact.abi
    ranks = sorted({len(s.shape) for s in (*signature.inputs, *signature.entry_outputs)} | {1})
    structs = "".join(
        f"struct memref_{r} {{ void *allocated, *aligned; int64_t offset;"
        + (f" int64_t sizes[{r}], strides[{r}];" if r else "") + " };\n"
        for r in ranks
    )
    count = len(signature.inputs) + len(signature.entry_outputs)
    prototype = ", ".join(["void *"] * len(signature.inputs) + ["int64_t"] * abi.seeded
                          + ["void *"] * (count - len(signature.inputs) + 1) + ["int32_t"])
    body = "".join(_descriptor(f"in{i}", f"(void *)inputs[{i}]", s.shape) for i, s in enumerate(signature.inputs))
    body += "".join(_descriptor(f"out{i}", f"outputs[{i}]", s.shape) for i, s in enumerate(signature.entry_outputs))
    arena_bytes = _arena_bytes(abi)
    body += _descriptor("arena", "context->arena", (arena_bytes,))
    seed = ["next_seed(context)"] if abi.seeded else []
    arguments = ", ".join([f"&in{i}" for i in range(len(signature.inputs))] + seed
                          + [f"&out{i}" for i in range(len(signature.entry_outputs))] + ["&arena", "context->threads"])
    messages = ", ".join(_c_string(m) for m in ("ok", *abi.errors))
    return f"""/* Generated by ember: the C layer of {signature.name} over its entry ABI. */
#include <stdint.h>
#include <stdlib.h>

{structs}
int32_t _mlir_ciface_{abi.entry}({prototype});

typedef struct {name}_context {{ void *arena; int32_t threads; uint64_t seed; }} {name}_context;
{_seeding(name) if abi.seeded else ""}
{name}_context *{name}_create(int threads) {{
    {name}_context *context = malloc(sizeof *context);
    if (!context) return NULL;
    context->arena = aligned_alloc({ALIGNMENT}, {arena_bytes});
    if (!context->arena) {{ free(context); return NULL; }}
    context->threads = threads < 1 ? 1 : threads;
    context->seed = 0;
    return context;
}}

void {name}_destroy({name}_context *context) {{
    if (!context) return;
    free(context->arena);
    free(context);
}}

int {name}_run({name}_context *context, const void *const *inputs, void *const *outputs) {{
{body}    return _mlir_ciface_{abi.entry}({arguments});
}}

static const char *const messages[] = {{{messages}}};

const char *{name}_error_message(int status) {{
    if (status < 0 || status >= (int)(sizeof messages / sizeof *messages)) return "unknown ember status";
    return messages[status];
}}
"""


def _seeding(name: str) -> str:
    """The seed of each run: SplitMix64 over the context's counter, so that consecutive runs
    key the generator with unrelated seeds (not with the next state of the code's own LCG, which
    would repeat the previous run's second draw as this run's first)."""
    return f"""
void {name}_seed({name}_context *context, uint64_t seed) {{ context->seed = seed; }}

static int64_t next_seed({name}_context *context) {{
    uint64_t z = (context->seed += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (int64_t)(z ^ (z >> 31));
}}
"""


def _arena_bytes(abi: Abi) -> int:
    return -(-max(abi.arena_size, 1) // ALIGNMENT) * ALIGNMENT


def export(artifact: Artifact, directory, name: str | None = None) -> tuple[str, str]:
    """Writes `libNAME.so` and `NAME.h` into `directory`; returns their paths."""
    if artifact.target != "cpu":
        raise EmberError(f"ember export writes C libraries for the cpu target, not '{artifact.target}'")
    if artifact.signature.is_dynamic:
        dims = ", ".join(d.name for d in artifact.signature.dims)
        raise EmberError(f"ember export: {artifact.signature.name} has dynamic dims ({dims}); the C layer takes"
                         " static shapes only (yet): compile it without dynamic= for the sizes the C caller uses")
    name = c_name(name or artifact.signature.name)
    os.makedirs(directory, exist_ok=True)
    extra = []
    if artifact.abi.uses_openmp:  # a C program has no torch: libiomp5 serves its parallel loops
        library = libiomp5_path()
        extra = [library, f"-Wl,-rpath,{os.path.dirname(library)}"]
    data = link_shared(
        {"model.o": object_code(artifact)},
        {f"{name}_abi.c": wrapper_source(artifact, name), **runtime_sources()},
        ["-Wl,-Bsymbolic", *extra],
        exported=f"{name}_*",
    )
    library_path = os.path.join(directory, f"lib{name}.so")
    header_path = os.path.join(directory, f"{name}.h")
    with open(library_path, "wb") as f:
        f.write(data)
    with open(header_path, "w") as f:
        f.write(header(artifact, name))
    return library_path, header_path

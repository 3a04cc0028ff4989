"""`ember-gpu-workgroup-memory`: a kernel's shared buffers become its workgroup attributions.

Matches, inside each `gpu.launch`, the `memref.alloc`s marked `ember.workgroup` (of a memref in
`#gpu.address_space<workgroup>`: what ember's GPU passes allocate for a block's threads, such as
`ember-gpu-reductions`' tree) and produces, for each, a workgroup attribution of the launch (a
block argument after the launch's ids, counted by `workgroup_attributions`) used in its place.
`gpu-kernel-outlining` carries them to the kernel, `convert-gpu-to-nvvm` makes them shared
memory, `ember-emulate-gpu` a buffer per block. Why a marker: `convert-parallel-loops-to-gpu`
makes launches without attributions, and an alloc is what a pass before it can write.

Fails, with a located error, on a marked alloc outside any launch or of another memory space.
"""

from mlir import ir

from ember.passes.gpu_reductions import WORKGROUP
from ember.passes.registry import EmberPass, PassFailure, register_pass
from ember.passes.walk import collect_ops

_WORKGROUP_SPACE = "#gpu.address_space<workgroup>"


@register_pass
class GpuWorkgroupMemory(EmberPass):
    NAME = "ember-gpu-workgroup-memory"
    SUMMARY = "Turns memref.alloc {ember.workgroup} inside gpu.launch into workgroup attributions"

    def run(self, op) -> None:
        marked = collect_ops(op, lambda o: o.name == "memref.alloc" and WORKGROUP in o.attributes)
        for alloc in marked:
            launch = alloc.parent
            while launch is not None and launch.name != "gpu.launch":
                launch = launch.parent
            space = ir.MemRefType(alloc.result.type).memory_space
            if launch is None or space is None or str(space) != _WORKGROUP_SPACE:
                alloc.location.emit_error(f"ember-gpu-workgroup-memory: a {WORKGROUP} buffer must be in"
                                          f" {_WORKGROUP_SPACE} and inside a gpu.launch")
                raise PassFailure()
            body = launch.regions[0].blocks[0]
            count = ir.IntegerAttr(launch.attributes["workgroup_attributions"]).value \
                if "workgroup_attributions" in launch.attributes else 0
            if len(body.arguments) != 12 + count:
                alloc.location.emit_error("ember-gpu-workgroup-memory: the launch has private attributions")
                raise PassFailure()
            attribution = body.add_argument(alloc.result.type, alloc.location)
            launch.attributes["workgroup_attributions"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), count + 1)
            alloc.result.replace_all_uses_with(attribution)
            alloc.erase()

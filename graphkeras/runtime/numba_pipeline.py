"""The Numba compiler pipeline for generated serial kernels: Numba's passes minus the ones
such code never needs.

Most of a cold start is Numba compiling our kernels, and most of that is Numba's Python
front end, not LLVM (the MLP's loss group spends about 0.55 s of 1.6 s in LLVM). Generated
kernels are plain loops over arrays and scalars: no closures, `with` blocks, literal_unroll,
generated jit functions, array expressions or overloads to inline. So the pipeline keeps
bytecode analysis, the static-raise rewrite, SSA, typing and lowering, and drops closure
inlining, dead-branch pruning, literal propagation, the array-expression rewrites and
Numba-IR inlining. The last one mattered most: the fastmath helpers (`exp_f32`, ...) are
`inline="always"`, and Numba copied their IR into every kernel that calls them (a deep copy
per call site, 0.18 s of the loss group). Here they stay calls, LLVM inlines them when it
links the kernel, and the loops still vectorize (tested). Measured on the MLP's loss group,
minimum of four or five compiles each: 1.2-1.4 s against 1.5-1.6 s with Numba's default
pipeline.

Parallel kernels keep Numba's default pipeline: they need its parfor passes.
"""
from .numba_loader import load_numba

numba = load_numba()
from numba.core.compiler import CompilerBase  # noqa: E402
from numba.core.compiler_machinery import PassManager  # noqa: E402
from numba.core.typed_passes import (AnnotateTypes, IRLegalization, NativeLowering,  # noqa: E402
                                     NopythonTypeInference, NoPythonBackend,
                                     PreLowerStripPhis)
from numba.core.untyped_passes import (FixupArgs, GenericRewrites, IRProcessing,  # noqa: E402
                                       ReconstructSSA, TranslateByteCode)


class KernelPipeline(CompilerBase):
    """Numba's nopython pipeline reduced to what a generated loop kernel uses."""

    def define_pipelines(self):
        manager = PassManager("graphkeras_kernel")
        manager.add_pass(TranslateByteCode, "analyzing bytecode")
        manager.add_pass(FixupArgs, "fix up args")
        manager.add_pass(IRProcessing, "processing IR")
        # Turns `raise BroadcastMismatch('...')` into a static raise that typing accepts.
        manager.add_pass(GenericRewrites, "nopython rewrites")
        manager.add_pass(ReconstructSSA, "ssa")
        manager.add_pass(NopythonTypeInference, "nopython frontend")
        manager.add_pass(PreLowerStripPhis, "remove phis nodes")
        manager.add_pass(IRLegalization, "ensure IR is legal prior to lowering")
        manager.add_pass(AnnotateTypes, "annotate types")
        manager.add_pass(NativeLowering, "native lowering")
        manager.add_pass(NoPythonBackend, "nopython mode backend")
        manager.finalize()
        return [manager]

"""Runs compiled modules: the LLVM JIT on the CPU."""

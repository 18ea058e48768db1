"""The runtime imports only tensorflow, keras, numpy and itself, never tf.keras (Keras 2 here)."""

import ast
import pathlib
import subprocess
import sys

import rnnmigrate.layers

PACKAGE_DIR = pathlib.Path(rnnmigrate.layers.__file__).parent
ALLOWED_TOP_LEVEL = {"tensorflow", "keras", "numpy", "__future__"} | set(sys.stdlib_module_names)


def _imported_modules(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


def test_sources_import_only_tensorflow_keras_numpy_and_the_runtime():
    for path in PACKAGE_DIR.glob("*.py"):
        for module in _imported_modules(path):
            top = module.split(".")[0]
            assert top in ALLOWED_TOP_LEVEL or module.startswith("rnnmigrate.layers"), f"{path.name} imports {module}"


def test_sources_never_use_tf_keras():
    for path in PACKAGE_DIR.glob("*.py"):
        assert "tf.keras" not in path.read_text(), f"{path.name} mentions tf.keras"


def test_importing_the_runtime_loads_no_cli_or_rewriter_modules():
    """Compared with importing tensorflow, keras and numpy alone (Keras itself loads rich)."""
    script = (
        "import sys, numpy, tensorflow, keras\n"
        "baseline = set(sys.modules)\n"
        "import rnnmigrate.layers\n"
        "added = set(sys.modules) - baseline\n"
        "bad = [m for m in added if m.split('.')[0] in ('libcst', 'typer', 'rich', 'tf_keras')"
        " or (m.startswith('rnnmigrate.') and not m.startswith('rnnmigrate.layers'))]\n"
        "print(sorted(bad))\n"
    )
    env = {"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"

"""Run the rewrite goldens: each before-file under TF1 and its expected output under Keras 3.

A golden is a fragment, not a program: it reads names it never binds (`x`, `lengths`) and
defines functions nobody calls. `GOLDENS` says, per fixture, what those names hold and which
functions to call with what; `run_goldens` then executes both texts in a subprocess:

* the before-file in a fresh TF1 graph (legacy cells through tf-keras), random values in every
  trainable variable, saved by a TF1 Saver;
* the expected output in a second graph, restored by its own Saver from that checkpoint: the
  variables must have TF1's names and shapes;
* the expected output again, eagerly, every runtime layer loading the same values through
  `tf1_weights` (skipped for fixtures that need a graph, such as `tf.placeholder`).

Every tensor the fragment leaves in its namespace, and every value a called function returns,
is compared by path. The fragments spell TensorFlow as TF1 did (`tf.nn.rnn_cell`, `tf.contrib.rnn`,
`tensorflow.models.rnn`), so while they run, `tensorflow` names a stand-in module that maps those
spellings onto `tf.compat.v1`.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BATCH = 4
TIME = 5
DEPTH = 3
LENGTHS = (TIME, 0, 1, TIME - 2)  # full, empty, one step, in between
TOLERANCE = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12}


# ---------------------------------------------------------------- what the free names hold


@dataclass(frozen=True)
class Features:
    """A `[batch, time, depth]` (or time-major) float tensor."""

    depth: int = DEPTH
    time_major: bool = False
    dtype: str = "float32"

    def make(self, rng: np.random.Generator, tf, side: str):
        shape = (TIME, BATCH, self.depth) if self.time_major else (BATCH, TIME, self.depth)
        return tf.constant(rng.normal(size=shape).astype(self.dtype))


@dataclass(frozen=True)
class Steps:
    """A list of `time` tensors of `[batch, depth]`, as static_rnn takes them."""

    depth: int = DEPTH

    def make(self, rng: np.random.Generator, tf, side: str):
        return [tf.constant(rng.normal(size=(BATCH, self.depth)).astype("float32")) for _ in range(TIME)]


@dataclass(frozen=True)
class Lengths:
    def make(self, rng: np.random.Generator, tf, side: str):
        return tf.constant(rng.permutation(np.array(LENGTHS, dtype=np.int32)))


@dataclass(frozen=True)
class Tensor:
    """A float tensor of a given shape (one half of an LSTM state, say)."""

    shape: tuple[int, ...]

    def make(self, rng: np.random.Generator, tf, side: str):
        return tf.constant(rng.normal(size=self.shape).astype("float32"))


@dataclass(frozen=True)
class LSTMState:
    units: int

    def make(self, rng: np.random.Generator, tf, side: str):
        c, h = (Tensor((BATCH, self.units)).make(rng, tf, side) for _ in "ch")
        if side == "tf1":
            return tf.compat.v1.nn.rnn_cell.LSTMStateTuple(c, h)
        from rnnmigrate.layers import LSTMStateTuple

        return LSTMStateTuple(c, h)


@dataclass(frozen=True)
class Value:
    """A plain Python value, the same on both sides."""

    value: object

    def make(self, rng: np.random.Generator, tf, side: str):
        return self.value


@dataclass(frozen=True)
class Golden:
    """How to run one fixture. `calls` maps a function the fragment defines to its arguments."""

    names: dict[str, object] = field(default_factory=dict)
    calls: dict[str, tuple] = field(default_factory=dict)
    eager: bool = True  # False where the fragment needs a graph (placeholders)
    compare: str = ""  # why values are not compared (only shapes are); empty: compared


FEATURES, LENGTHS_, STEPS = Features(), Lengths(), Steps()
GRAPH_ONLY = dict(eager=False)
DROPOUT = "a keep probability below 1 drops at random in a TF1 graph, with TF1's own random stream"

GOLDENS: dict[str, Golden] = {
    "bidirectional_dynamic_rnn/keywords": Golden(
        {"inputs": Features(time_major=True), "lengths": LENGTHS_, "init_fw": LSTMState(32), "init_bw": LSTMState(32)}
    ),
    "bidirectional_dynamic_rnn/positional": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "block_cells/fused": Golden({"x_tm": Features(time_major=True), "lengths": LENGTHS_}),
    "block_cells/step_cells": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "cell_wrappers/all_wrappers": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "cell_wrappers/residual": Golden({"x": Features(depth=64)}),
    "contrib_math_cells/layer_norm_and_nas": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "contrib_math_cells/tensor_dropout_keep_prob": Golden({"x": Features(time_major=True)}, **GRAPH_ONLY),
    "core_cells/class_passed_to_helper": Golden(
        calls={"encode": (FEATURES, LENGTHS_, Value(True)), "encode_gru": (FEATURES, LENGTHS_), "deep": (FEATURES, LENGTHS_)}
    ),
    "core_cells/direct_import_all_rewritten": Golden({"x": FEATURES}),
    "core_cells/direct_import_parenthesized": Golden({"x": FEATURES}),
    "core_cells/direct_import_partly_rewritten": Golden({"x": FEATURES}),
    "core_cells/every_cell": Golden({"x": FEATURES}),
    "custom_cells/subclass_unsafe_fixes": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "custom_cells/passed_cells_unsafe_fixes": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "dropout_wrapper/rebound_name": Golden(calls={"encode": (FEATURES, LENGTHS_, Value(1.0))}),
    "dropout_wrapper/tensor_keep_prob": Golden({"x": FEATURES}, compare=DROPOUT, **GRAPH_ONLY),
    "dropout_wrapper/wrapped": Golden({"x": FEATURES}, compare=DROPOUT, **GRAPH_ONLY),
    "cudnn/cudnn_layers": Golden({"x": Features(time_major=True), "lengths": LENGTHS_}),
    "cudnn/cudnn_layers_annotate": Golden({"x": Features(time_major=True)}),
    "dynamic_rnn/all_arguments": Golden({"inputs": Features(time_major=True), "lengths": LENGTHS_}),
    "dynamic_rnn/comments_in_call": Golden({"embedded": FEATURES, "lengths": LENGTHS_}),
    "dynamic_rnn/comment_dropped_unsafe_fixes": Golden({"x": FEATURES}),
    "dynamic_rnn/compat_v1": Golden(**GRAPH_ONLY),
    "dynamic_rnn/free_formatting": Golden(calls={"f": (FEATURES,)}),
    "dynamic_rnn/from_imports": Golden(calls={"run": (FEATURES, LENGTHS_)}),
    "dynamic_rnn/issue_example": Golden(**GRAPH_ONLY),
    "dynamic_rnn/kept_arguments": Golden({"inputs": FEATURES, "lengths": LENGTHS_}),
    "dynamic_rnn/layout_kept": Golden(
        calls={
            "encode": (FEATURES, LENGTHS_),
            "decode": (FEATURES, LENGTHS_, Tensor((BATCH, 32))),
            "long_line": (FEATURES, LENGTHS_, Tensor((BATCH, 32))),
            "short_line": (FEATURES,),
        }
    ),
    "dynamic_rnn/manual_cell_annotate": Golden({"x": FEATURES}, eager=False),  # a TF1 site stays
    "dynamic_rnn/name_taken": Golden({"x": FEATURES}),
    "dynamic_rnn/non_float32_dtype": Golden(
        {"x": Features(dtype="float64"), "x16": Features(time_major=True, dtype="float16")}
    ),
    "dynamic_rnn/second_run": Golden({"x": FEATURES}),
    "keras_cells/in_dynamic_rnn": Golden(  # keras_only stays tf.keras code, with weights of its own
        calls={"encode": (FEATURES, LENGTHS_), "keras_only": (FEATURES,)}, eager=False
    ),
    "keras_cells/tf_version_defaults": Golden(
        calls={"tf1_program": (FEATURES,), "v1_class": (FEATURES,), "explicit": (FEATURES,)}
    ),
    "lstm_state_tuple/constructed_and_checked": Golden(),
    "lstm_state_tuple/from_contrib": Golden({"c": Tensor((BATCH, 8)), "h": Tensor((BATCH, 8))}),
    "lstm_state_tuple/unpacked_arguments": Golden({"c": Tensor((BATCH, 8)), "h": Tensor((BATCH, 8))}),
    "multi_rnn_cell/stack": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "multi_rnn_cell/shared_cell_unsafe_fixes": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "static_bidirectional_rnn/basic": Golden({"steps": STEPS, "lengths": LENGTHS_}),
    "static_rnn/basic": Golden({"x": FEATURES, "lengths": LENGTHS_}),
    "static_rnn/spellings": Golden({"steps": STEPS}),
    "static_rnn/tf0_spelling": Golden(calls={"encode": (STEPS,)}),
}


# ---------------------------------------------------------------- TF1's spellings, for the fragments


def tf1_spellings() -> dict[str, types.ModuleType]:
    """Stand-in modules for `tensorflow` and the TF1-only module paths the fragments import."""
    import tensorflow as tf

    v1 = tf.compat.v1

    def module(name: str, base: object | None = None, **members) -> types.ModuleType:
        made = types.ModuleType(name)
        if base is not None:
            made.__getattr__ = lambda attribute: getattr(base, attribute)
        made.__dict__.update(members)
        return made

    rnn_cell = v1.nn.rnn_cell
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers"))
    from tf1_contrib_cells import contrib_rnn_members  # TF1 oracles of the contrib cells TF 2 lacks

    nn = module("tensorflow.nn", v1.nn, rnn=v1.nn.static_rnn, bidirectional_rnn=v1.nn.static_bidirectional_rnn)
    block_cells = {**tf1_block_cells(), **tf1_projection_wrappers()}
    contrib_rnn = module(
        "tensorflow.contrib.rnn",
        rnn_cell,
        static_rnn=v1.nn.static_rnn,
        static_bidirectional_rnn=v1.nn.static_bidirectional_rnn,
        **contrib_rnn_members(),
        **block_cells,
    )
    contrib_rnn_ops = module(
        "tensorflow.contrib.rnn.python.ops",
        lstm_ops=module("tensorflow.contrib.rnn.python.ops.lstm_ops", **block_cells),
        gru_ops=module("tensorflow.contrib.rnn.python.ops.gru_ops", **block_cells),
    )
    contrib_rnn.python = module("tensorflow.contrib.rnn.python", ops=contrib_rnn_ops)
    contrib = module("tensorflow.contrib", rnn=contrib_rnn, cudnn_rnn=_cudnn_rnn_stand_in(module))
    models_rnn = module("tensorflow.models.rnn", rnn=module("rnn", rnn=v1.nn.static_rnn), rnn_cell=rnn_cell)
    models = module("tensorflow.models", rnn=models_rnn)
    compat = module("tensorflow.compat", tf.compat, v1=module("tensorflow.compat.v1", v1, disable_v2_behavior=lambda: None))
    root = module("tensorflow", v1, nn=nn, contrib=contrib, models=models, compat=compat)
    modules = {"tensorflow": root, "tensorflow.nn": nn, "tensorflow.contrib": contrib}
    modules.update({"tensorflow.contrib.rnn": contrib_rnn, "tensorflow.models": models})
    modules.update({"tensorflow.models.rnn": models_rnn, "tensorflow.compat": compat})
    modules["tensorflow.compat.v1"] = compat.v1
    modules.update({"tensorflow.contrib.rnn.python": contrib_rnn.python, "tensorflow.contrib.rnn.python.ops": contrib_rnn_ops})
    return modules


def _cudnn_rnn_stand_in(module) -> types.ModuleType:
    """``tf.contrib.cudnn_rnn`` on the CPU: the TF 1.15 cells and layer stacks of tests/tf1_cudnn_cells.py."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    import tf1_cudnn_cells

    def layer(mode: str):
        def make(num_layers, num_units, input_mode="linear_input", direction="unidirectional", *_, name=None, **__):
            return tf1_cudnn_cells.CudnnRNNOnCPU(mode, num_layers, num_units, direction, name)

        return make

    layers = {name: layer(mode) for name, mode in
              (("CudnnLSTM", "lstm"), ("CudnnGRU", "gru"), ("CudnnRNNTanh", "rnn_tanh"), ("CudnnRNNRelu", "rnn_relu"))}
    cells = {name: getattr(tf1_cudnn_cells, name) for name in ("CudnnCompatibleLSTMCell", "CudnnCompatibleGRUCell")}
    return module("tensorflow.contrib.cudnn_rnn", **layers, **cells)


def tf1_projection_wrappers() -> dict:
    """tf.contrib.rnn's projection wrappers with TF 1.15's signatures, written from its core_rnn_cell.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers"))
    import wrapper_oracles

    def output_projection_wrapper(cell, output_size, activation=None, reuse=None):
        return wrapper_oracles.OracleOutputProjectionWrapper(cell, output_size, activation)

    def input_projection_wrapper(cell, num_proj, activation=None, input_size=None, reuse=None):
        return wrapper_oracles.OracleInputProjectionWrapper(cell, num_proj, activation)

    return {"OutputProjectionWrapper": output_projection_wrapper, "InputProjectionWrapper": input_projection_wrapper}


def tf1_block_cells() -> dict:
    """tf.contrib.rnn's block cells with TF 1.15's signatures, as TF1 cells running TensorFlow's kernels."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers"))
    import block_oracles

    def lstm_block_cell(num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, dtype=None, reuse=None,
                        name="lstm_cell"):
        return block_oracles.OracleLSTMBlockCell(num_units, forget_bias, cell_clip, use_peephole, name)

    def lstm_block_fused_cell(num_units, forget_bias=1.0, cell_clip=None, use_peephole=False, reuse=None, dtype=None,
                              name="lstm_fused_cell"):
        return block_oracles.OracleLSTMBlockFusedCell(num_units, forget_bias, cell_clip, use_peephole, name)

    def gru_block_cell(version):
        def make(num_units=None, cell_size=None, reuse=None, name="gru_cell"):
            return block_oracles.OracleGRUBlockCell(num_units or cell_size, version, name)

        return make

    return {
        "LSTMBlockCell": lstm_block_cell,
        "LSTMBlockFusedCell": lstm_block_fused_cell,
        "GRUBlockCell": gru_block_cell("v1"),
        "GRUBlockCellV2": gru_block_cell("v2"),
    }


class _Spelled:
    """While entered, `import tensorflow` (and its TF1 paths) give the stand-ins."""

    def __init__(self, modules: dict[str, types.ModuleType]):
        self.modules, self.saved = modules, {}

    def __enter__(self):
        self.saved = {name: sys.modules.get(name) for name in self.modules}
        sys.modules.update(self.modules)

    def __exit__(self, *exc):
        for name, module in self.saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


# ---------------------------------------------------------------- running one fragment


def _is_tensor(value) -> bool:
    import tensorflow as tf

    return tf.is_tensor(value) and not isinstance(value, tf.Variable)


def tensors_by_path(value, path: str, found: dict) -> None:
    """Every tensor in a (nested) value, by a path such as `state[0]`; namedtuples by index."""
    if isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            tensors_by_path(item, f"{path}[{index}]", found)
    elif _is_tensor(value):
        found[path] = value


def run_fragment(source: str, golden: Golden, side: str, spelled: _Spelled) -> dict:
    """Execute the fragment with its free names bound; return its tensors by path."""
    import tensorflow as tf

    rng = np.random.default_rng(1)
    namespace = {"__name__": "golden_fragment"}
    namespace.update({name: maker.make(rng, tf, side) for name, maker in golden.names.items()})
    call_arguments = {
        function: [maker.make(rng, tf, side) for maker in makers] for function, makers in golden.calls.items()
    }
    found: dict = {}
    with spelled:
        exec(compile(source, "golden_fragment.py", "exec"), namespace)
        for function, arguments in call_arguments.items():
            with tf.compat.v1.variable_scope(f"call_{function}"):
                tensors_by_path(namespace[function](*arguments), f"{function}()", found)
    for name, value in namespace.items():
        if name not in golden.names and not name.startswith("__"):
            tensors_by_path(value, name, found)
    return found


def _placeholder_values(graph) -> dict:
    """Random values for the fragment's own placeholders: unknown sizes are batch, then time."""
    rng = np.random.default_rng(2)
    feeds = {}
    for operation in graph.get_operations():
        if operation.type == "Placeholder":
            tensor = operation.outputs[0]
            sizes = iter((BATCH, TIME))
            shape = [size if size is not None else next(sizes, DEPTH) for size in tensor.shape.as_list()]
            feeds[tensor] = rng.normal(size=shape).astype(tensor.dtype.as_numpy_dtype)
    return feeds


def _randomise(variables, session, rng: np.random.Generator) -> dict[str, np.ndarray]:
    weights = {}
    for variable in variables:
        dtype = variable.dtype.base_dtype.as_numpy_dtype
        value = rng.uniform(-0.6, 0.6, size=variable.shape).astype(dtype)
        variable.load(value, session)
        weights[variable.op.name] = value
    return weights


def run_in_graph(source: str, golden: Golden, spelled: _Spelled, checkpoint: str | None, folder: str):
    side = "tf1" if checkpoint is None else "rewritten"
    """Run the fragment in a fresh TF1 graph; randomise and save its weights, or restore them."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        tensors = run_fragment(source, golden, side, spelled)
        feeds = _placeholder_values(graph)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            saver = v1.train.Saver() if v1.global_variables() else None
            weights = {}
            if checkpoint is None:
                weights = _randomise(v1.trainable_variables(), session, np.random.default_rng(0))
                if saver:
                    checkpoint = saver.save(session, os.path.join(folder, "before"))
            elif saver:
                saver.restore(session, checkpoint)
            return session.run(tensors, feeds), weights, checkpoint


def run_eagerly(source: str, golden: Golden, spelled: _Spelled, weights: dict) -> dict:
    from rnnmigrate.layers import tf1_weights

    with tf1_weights(weights) as loading:
        tensors = run_fragment(source, golden, "rewritten", spelled)
    unused = sorted(set(weights) - set(loading.loaded_variables))
    if unused:
        raise AssertionError(f"TF1 variables the eager run never loaded: {unused}")
    return {path: np.asarray(value) for path, value in tensors.items()}


def compare(expected: dict, actual: dict, values: bool) -> dict[str, float]:
    """Max abs difference per path, relative to the dtype's tolerance; mismatched paths or shapes raise."""
    if set(expected) != set(actual):
        raise AssertionError(f"tensors differ: TF1 {sorted(expected)}, rewritten {sorted(actual)}")
    if not expected:
        raise AssertionError("the fragment left no tensor to compare")
    ratios = {}
    for path, want in expected.items():
        got = np.asarray(actual[path])
        if want.shape != got.shape or want.dtype != got.dtype:
            raise AssertionError(f"{path}: TF1 {want.dtype}{want.shape}, rewritten {got.dtype}{got.shape}")
        difference = float(np.max(np.abs(want - got))) if want.size and values else 0.0
        ratios[path] = difference / TOLERANCE.get(want.dtype.name, TOLERANCE["float32"])
    return ratios


def run_golden(name: str, before: str, after: str, spelled: _Spelled) -> dict[str, dict[str, float]]:
    """Per context, the worst difference over tolerance of every tensor (<= 1 passes)."""
    golden = GOLDENS[name]
    values = not golden.compare
    with tempfile.TemporaryDirectory() as folder:
        want, weights, checkpoint = run_in_graph(before, golden, spelled, None, folder)
        restored, _, _ = run_in_graph(after, golden, spelled, checkpoint, folder)
    results = {"TF1 session, own Saver": compare(want, restored, values)}
    if golden.eager:
        results["eager, tf1_weights"] = compare(want, run_eagerly(after, golden, spelled, weights), values)
    return results


def _main(payload: Path, result: Path) -> None:
    import rnnmigrate.layers  # noqa: F401  (imported before `tensorflow` is spelled as TF1)

    spelled = _Spelled(tf1_spellings())
    results = {}
    for name, before, after in pickle.loads(payload.read_bytes()):
        try:
            results[name] = run_golden(name, before, after, spelled)
        except Exception:
            results[name] = traceback.format_exc()
    result.write_bytes(pickle.dumps(results))


def run_goldens(cases: list[tuple[str, str, str]]) -> dict:
    """Run (name, before text, expected text) cases in one fresh interpreter; results by name."""
    with tempfile.TemporaryDirectory(prefix="rnnmigrate_goldens_") as folder:
        payload, result = Path(folder) / "cases.pkl", Path(folder) / "result.pkl"
        payload.write_bytes(pickle.dumps(cases))
        environment = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2")
        finished = subprocess.run(
            [sys.executable, __file__, str(payload), str(result)],
            env=environment, capture_output=True, text=True, timeout=900,
        )
        if finished.returncode != 0:
            raise AssertionError(f"golden runner failed:\n{finished.stderr[-4000:]}")
        return pickle.loads(result.read_bytes())


if __name__ == "__main__":
    _main(Path(sys.argv[1]), Path(sys.argv[2]))

"""A `tensorflow` stand-in so TF1 code runs unmodified on TF 2.21: `tf.compat.v1` plus `contrib`.

Real TF1 projects say `import tensorflow as tf` and then `tf.placeholder`,
`tf.contrib.rnn.LSTMCell`, `from tensorflow.contrib.crf import ...`. While a corpus module
is imported, `installed()` puts this stand-in in `sys.modules` (and takes it out again, so
rnnmigrate and Keras keep the real module). What it maps, all declared here:

* everything: `tf.compat.v1` (with `TF_USE_LEGACY_KERAS=1`, its `nn.rnn_cell` is TF1's cells);
  names compat.v1 lacks fall back to the real module (`tf.python`, `tf.__version__`);
  `tensorflow.compat.v1` (magenta, tensor2tensor) is this same stand-in;
* `tf.contrib.rnn.*` -> `tf.compat.v1.nn.rnn_cell.*` and the RNN functions;
  `stack_bidirectional_dynamic_rnn` is our transcription of TF 1.15's (contrib is gone);
* `tf.contrib.keras` (and `.python.keras.initializers`, `.activations`) -> tf-keras, which is
  what contrib.keras became;
* `tf.contrib.layers.xavier_initializer` -> `glorot_uniform_initializer` (same distribution);
  `tf.contrib.slim.fully_connected` -> `tf.compat.v1.layers.dense` with slim's relu default;
* any other `tf.contrib.X.Y` is a *stub*: importing it works, calling it raises. Each stub
  touched is recorded in `STUBS_USED` and printed in the site's line.

In the eager (Keras) context `tf.placeholder` returns the driver's feed for that name (a
constant), because eager TF has no placeholders; in graph mode it makes a real placeholder
and records it by name so the harness can feed it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import types
from typing import Any, Iterator

import numpy as np

from real_code import taps

STUBS_USED: list[str] = []
_REAL_TF: Any = None  # the real tensorflow, set by build()
PLACEHOLDERS: dict[str, Any] = {}


class _Namespace(types.ModuleType):
    """A module whose missing attributes come from a fallback object (or are stubs)."""

    def __init__(self, name: str, fallback: Any = None, stub_missing: bool = False):
        super().__init__(name)
        self._fallback = fallback
        self._stub_missing = stub_missing

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if self._fallback is not None and hasattr(self._fallback, attribute):
            return getattr(self._fallback, attribute)
        if self._stub_missing:
            return _stub(f"{self.__name__}.{attribute}")
        raise AttributeError(f"{self.__name__} has no attribute {attribute!r}")


def _stub(qualified: str) -> Any:
    """A class that records it was looked up and raises when instantiated: tf.contrib is gone.

    A class rather than a function, so project code that subclasses a contrib class at import
    time (`class TacoTestHelper(tf.contrib.seq2seq.Helper)`) still imports.
    """
    if qualified not in STUBS_USED:
        STUBS_USED.append(qualified)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{qualified} is a stub in the harness (not available on TF 2.21 / not installed)")

    return type(qualified.rsplit(".", 1)[-1], (), {"__init__": __init__})


def stub_module(name: str) -> types.ModuleType:
    """A stand-in for a third-party module the venv lacks (`tqdm`, `unidecode`): names are stubs."""
    return _Namespace(name, stub_missing=True)


class Feeds:
    """The feed values by placeholder name; eagerly, placeholders become these constants."""

    def __init__(self, values: dict[str, np.ndarray], eager: bool):
        self.values = values
        self.eager = eager


_FEEDS = Feeds({}, eager=False)


def _placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Any:
    real_tf = _REAL_TF  # not `import tensorflow`: while installed, that is this shim

    if _FEEDS.eager:
        if name not in _FEEDS.values:
            raise KeyError(f"no feed for placeholder {name!r} in the eager context")
        return real_tf.constant(_FEEDS.values[name], dtype=dtype)
    tensor = real_tf.compat.v1.placeholder(dtype, shape, name=name)
    PLACEHOLDERS[name or tensor.op.name] = tensor
    return tensor


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                                    initial_states_bw=None, dtype=None, sequence_length=None,
                                    parallel_iterations=None, time_major=False, scope=None,
                                    swap_memory=False):
    """TF 1.15 `tf.contrib.rnn.stack_bidirectional_dynamic_rnn`, transcribed (contrib is gone)."""
    real_tf = _REAL_TF  # not `import tensorflow`: while installed, that is this shim

    v1 = real_tf.compat.v1
    states_fw, states_bw, prev_layer = [], [], inputs
    with v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with v1.variable_scope("cell_%d" % i):
                outputs, (state_fw, state_bw) = _NN.bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, prev_layer,
                    initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    sequence_length=sequence_length, parallel_iterations=parallel_iterations,
                    dtype=dtype, swap_memory=swap_memory, time_major=time_major)
                prev_layer = real_tf.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)


def _slim_fully_connected(inputs, num_outputs, activation_fn="relu", scope=None, **kwargs):
    real_tf = _REAL_TF  # not `import tensorflow`: while installed, that is this shim

    activation = real_tf.nn.relu if activation_fn == "relu" else activation_fn
    return real_tf.compat.v1.layers.dense(inputs, num_outputs, activation=activation, name=scope)


_NN: Any = None


def _rnn_functions(source: Any) -> dict[str, Any]:
    """The TF1 RNN functions of `source`, tapped."""
    names = ("dynamic_rnn", "bidirectional_dynamic_rnn", "static_rnn", "static_bidirectional_rnn", "raw_rnn")
    return {name: taps.tap_tf1_function(getattr(source, name), f"tf.nn.{name}")
            for name in names if hasattr(source, name)}


def build() -> dict[str, types.ModuleType]:
    """The stand-in modules by their `sys.modules` names."""
    global _NN, _REAL_TF
    import tensorflow as real_tf
    import tensorflow.python.ops.rnn as real_rnn

    _REAL_TF = real_tf
    v1 = real_tf.compat.v1
    cells = v1.nn.rnn_cell
    tf = _Namespace("tensorflow", _Chain(v1, real_tf))
    tf.placeholder = _placeholder
    nn = _Namespace("tensorflow.nn", v1.nn)
    nn.__dict__.update(_rnn_functions(v1.nn))
    nn.rnn_cell = cells
    _NN = nn
    tf.nn = nn
    contrib_rnn = _Namespace("tensorflow.contrib.rnn", cells, stub_missing=True)
    contrib_rnn.__dict__.update(_rnn_functions(v1.nn))
    contrib_rnn.stack_bidirectional_dynamic_rnn = taps.tap_tf1_function(
        stack_bidirectional_dynamic_rnn, "tf.contrib.rnn.stack_bidirectional_dynamic_rnn")
    layers = _Namespace("tensorflow.contrib.layers", stub_missing=True)
    layers.xavier_initializer = v1.glorot_uniform_initializer
    slim = _Namespace("tensorflow.contrib.slim", stub_missing=True)
    slim.fully_connected = _slim_fully_connected
    contrib = _Namespace("tensorflow.contrib", stub_missing=True)
    modules = {"tensorflow": tf, "tensorflow.contrib": contrib, "tensorflow.contrib.rnn": contrib_rnn,
               "tensorflow.contrib.layers": layers, "tensorflow.contrib.slim": slim}
    for name in ("crf", "seq2seq", "legacy_seq2seq", "cudnn_rnn"):
        modules[f"tensorflow.contrib.{name}"] = _Namespace(f"tensorflow.contrib.{name}", stub_missing=True)
    for full, module in modules.items():
        if full.startswith("tensorflow.contrib."):
            module.__path__ = []  # a package, so `tensorflow.contrib.seq2seq.python.ops` can be found
            setattr(contrib, full.rsplit(".", 1)[-1], module)
    tf.contrib = contrib
    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":  # a Keras-3-only run must not import tf-keras
        _contrib_keras(modules, contrib)
    compat = _Namespace("tensorflow.compat", real_tf.compat)  # `import tensorflow.compat.v1 as tf` is TF1 too
    compat.v1 = tf
    compat.__path__ = []
    tf.compat = compat
    modules["tensorflow.compat"], modules["tensorflow.compat.v1"] = compat, tf
    ops_rnn = _Namespace("tensorflow.python.ops.rnn", real_rnn)
    ops_rnn.__dict__.update(_rnn_functions(real_rnn))
    modules["tensorflow.python.ops.rnn"] = ops_rnn
    modules["tensorflow.python.ops.rnn_cell"] = _Namespace("tensorflow.python.ops.rnn_cell", cells)
    return modules


def _contrib_keras(modules: dict, contrib: Any) -> None:
    """`tf.contrib.keras...` -> tf-keras, what contrib.keras became (legacy-Keras runs only)."""
    import tf_keras

    for name, target in {"keras": tf_keras, "keras.python": tf_keras, "keras.python.keras": tf_keras,
                         "keras.python.keras.initializers": tf_keras.initializers,
                         "keras.activations": tf_keras.activations, "keras.initializers": tf_keras.initializers,
                         "keras.python.keras.activations": tf_keras.activations}.items():
        module = _Namespace(f"tensorflow.contrib.{name}", target)
        module.__path__ = []
        modules[f"tensorflow.contrib.{name}"] = module
    contrib.keras = modules["tensorflow.contrib.keras"]


class _Chain:
    """Attribute lookup in several objects, first hit wins."""

    def __init__(self, *objects: Any):
        self._objects = objects

    def __getattr__(self, attribute: str) -> Any:
        for candidate in self._objects:
            if hasattr(candidate, attribute):
                return getattr(candidate, attribute)
        raise AttributeError(attribute)


class _ContribFinder:
    """Any other `tensorflow.contrib...` module (`contrib.seq2seq.python.ops`) is a stub module."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> Any:
        import importlib.machinery

        if not name.startswith("tensorflow.contrib."):
            return None
        return importlib.machinery.ModuleSpec(name, _ContribFinder)

    @staticmethod
    def create_module(spec: Any) -> types.ModuleType:
        if spec.name not in STUBS_USED:
            STUBS_USED.append(spec.name)
        module = _Namespace(spec.name, stub_missing=True)
        module.__path__ = []
        return module

    @staticmethod
    def exec_module(module: types.ModuleType) -> None:
        return None


_MODULES: dict[str, types.ModuleType] | None = None


@contextlib.contextmanager
def installed(feeds: dict[str, np.ndarray] | None = None, eager: bool = False) -> Iterator[types.ModuleType]:
    """Within the block, `import tensorflow` (and contrib imports) give the shim."""
    global _MODULES
    if _MODULES is None:
        _MODULES = build()
    _FEEDS.values, _FEEDS.eager = dict(feeds or {}), eager
    saved = {name: sys.modules.get(name) for name in _MODULES}
    sys.modules.update(_MODULES)
    sys.meta_path.insert(0, _ContribFinder)
    try:
        yield _MODULES["tensorflow"]
    finally:
        sys.meta_path.remove(_ContribFinder)
        for name in [name for name in sys.modules if name.startswith("tensorflow.contrib.") and name not in _MODULES]:
            sys.modules.pop(name)
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def shim_tf() -> types.ModuleType:
    """The stand-in `tensorflow` (drivers use it for their own placeholders)."""
    global _MODULES
    if _MODULES is None:
        _MODULES = build()
    return _MODULES["tensorflow"]


def set_feeds(feeds: dict[str, np.ndarray], eager: bool) -> None:
    _FEEDS.values, _FEEDS.eager = dict(feeds), eager

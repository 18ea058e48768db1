"""TF1's ``tf.contrib.cudnn_rnn.CudnnLSTM``, ``CudnnGRU``, ``CudnnRNNTanh`` and ``CudnnRNNRelu`` on any device.

TF 1.15 kept the weights of these layers in one opaque cuDNN buffer, but its
``Saver`` wrote them through the layer's canonical saveable (``CudnnLSTMSaveable``
...), as the variables of a stack of cuDNN-compatible cells::

    <scope>/rnn/multi_rnn_cell/cell_<k>/cudnn_compatible_lstm_cell/kernel, .../bias
    <scope>/stack_bidirectional_rnn/cell_<k>/bidirectional_rnn/fw|bw/cudnn_compatible_lstm_cell/...

(``cudnn_compatible_gru_cell/gates/...`` and ``candidate/...`` for the GRU,
``basic_rnn_cell/kernel|bias`` for tanh/relu).  ``<scope>`` is the layer's own
scope (``cudnn_lstm``, ``cudnn_lstm_1``, or ``name``) when the first call builds
it, the enclosing scope when the program called ``layer.build(shape)`` first.
These layers are that stack: they hold exactly those variables, so the
program's own ``Saver`` restores a CudnnLSTM checkpoint by name, and run them
layer by layer (``stack_bidirectional_dynamic_rnn`` for ``bidirectional``),
with cuDNN's dropout between layers when ``training`` (the default, as in TF1).
States are stacked ``[num_layers * num_dirs, batch, num_units]``, layer-major
with the forward direction first (cuDNN's pseudo-layers); with ``time_major=False``
``[batch, num_layers * num_dirs, num_units]``, as TF 1.15's docstring says.  Neither order
nor the zero outputs past ``sequence_lengths`` was checked against a GPU's cuDNN here.
``training`` may be a tensor (an ``is_training`` placeholder).  ``input_mode``
``skip_input`` (no input weights for the first layer) is refused.  ``CudnnRNNTanh`` /
``CudnnRNNRelu`` start from ``BasicRNNCell``'s initial values (their initializer
arguments are accepted and unused: they only shaped fresh weights).
"""

from __future__ import annotations

import contextlib
from typing import Any

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import BasicRNNCell, build_cell
from rnnmigrate.layers.config import LAYOUT_KEY, LAYOUT_VERSION, check_layout, keras_dtype, register
from rnnmigrate.layers.config import serializable_initializer
from rnnmigrate.layers.cudnn_cells import CudnnCompatibleGRUCell, CudnnCompatibleLSTMCell
from rnnmigrate.layers.compiled import run_bidirectional_dynamic_rnn, run_dynamic_rnn
from rnnmigrate.layers.variables import current_scope_name, in_tf1_graph, join

CUDNN_RNN_UNIDIRECTION = "unidirectional"
CUDNN_RNN_BIDIRECTION = "bidirectional"
CUDNN_INPUT_LINEAR_MODE = "linear_input"
CUDNN_INPUT_SKIP_MODE = "skip_input"
CUDNN_INPUT_AUTO_MODE = "auto_select"


class _CudnnRNN(keras.layers.Layer):
    """What the four layers share; subclasses say which cell a layer runs."""

    is_rnnmigrate_runtime = True
    default_tf1_scope_name = ""
    rnn_mode = ""
    has_cell_state = False

    def __init__(self, num_layers: int, num_units: int, input_mode: str = CUDNN_INPUT_LINEAR_MODE,
                 direction: str = CUDNN_RNN_UNIDIRECTION, dropout: float = 0.0, seed: int | None = None,
                 dtype: Any = tf.float32, kernel_initializer: Any = None, bias_initializer: Any = None,
                 name: str | None = None, canonical_scope: str | None = None, **kwargs: Any):
        if direction not in (CUDNN_RNN_UNIDIRECTION, CUDNN_RNN_BIDIRECTION):
            raise ValueError(f"Invalid direction: {direction}, expecting {CUDNN_RNN_UNIDIRECTION} or {CUDNN_RNN_BIDIRECTION}")
        if input_mode not in (CUDNN_INPUT_LINEAR_MODE, CUDNN_INPUT_SKIP_MODE, CUDNN_INPUT_AUTO_MODE):
            raise ValueError(f"Invalid input_mode: {input_mode}")
        if input_mode == CUDNN_INPUT_SKIP_MODE:
            raise NotImplementedError(_SKIP_INPUT)
        super().__init__(name=name, dtype=keras_dtype(dtype), **kwargs)
        self._convert_input_args = False
        self.num_layers, self.num_units = int(num_layers), int(num_units)
        self.input_mode, self.direction = input_mode, direction
        self.dropout, self.seed = float(dropout), seed
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.tf1_base_name = name or self.default_tf1_scope_name
        self.canonical_scope = canonical_scope
        self.input_size = None
        self.cells_fw = [self.make_cell() for _ in range(self.num_layers)]
        self.cells_bw = [self.make_cell() for _ in range(self.num_layers)] if self.num_dirs == 2 else []
        object.__setattr__(self, "_building_in_call", False)

    @property
    def num_dirs(self) -> int:
        return 1 if self.direction == CUDNN_RNN_UNIDIRECTION else 2

    def make_cell(self) -> Any:
        raise NotImplementedError

    def initializers(self) -> dict:
        """cuDNN layers started from zero biases (the compatible GRU cell alone would start its gates at 1)."""
        return {"kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer or tf.compat.v1.zeros_initializer(), "dtype": self.dtype}

    def state_shape(self, batch_size: Any) -> tuple:
        shape = [self.num_layers * self.num_dirs, batch_size, self.num_units]
        return (shape, shape) if self.has_cell_state else (shape,)

    # -- building ---------------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not (tf.is_tensor(inputs) or isinstance(inputs, keras.KerasTensor)):
            inputs = tf.convert_to_tensor(inputs, dtype=self.compute_dtype)
        object.__setattr__(self, "_building_in_call", True)
        try:
            return super().__call__(inputs, *args, **kwargs)
        finally:
            object.__setattr__(self, "_building_in_call", False)

    def build(self, input_shape: Any) -> None:
        depth = input_shape[-1]
        if depth is None:
            raise ValueError("The last dimension of the inputs to `CudnnRNN` should be defined. Found `None`.")
        depth = int(depth)
        if self.input_mode == CUDNN_INPUT_AUTO_MODE and depth == self.num_units:
            raise NotImplementedError(_SKIP_INPUT + " (auto_select picks it when the input size is num_units)")
        self.input_size = depth
        with self._canonical_variable_scope():
            for index in range(self.num_layers):
                for cell, path in self._cells_of_layer(index):
                    self._build_cell(cell, path, depth)
                depth = self.num_units * self.num_dirs

    def _canonical_variable_scope(self) -> Any:
        """Where the saveable put the canonical names (see the module docstring)."""
        if not in_tf1_graph():
            if self.canonical_scope is None:
                outer = current_scope_name()
                self.canonical_scope = join(outer, self._eager_layer_name()) if self._building_in_call else outer
            return contextlib.nullcontext()
        if not self._building_in_call:
            self.canonical_scope = current_scope_name()
            return contextlib.nullcontext()
        return _LayerScope(self)

    def _eager_layer_name(self) -> str:
        """TF1 numbered unnamed layers per scope (``cudnn_lstm``, ``cudnn_lstm_1``); eagerly, per running model."""
        from rnnmigrate.layers.keras_cells import _numbered, _numbering

        numbering = _numbering(at_build=True)
        return self.tf1_base_name if numbering is None else _numbered(self.tf1_base_name, numbering)

    def _build_cell(self, cell: Any, path: str, depth: int) -> None:
        dtype = self.variable_dtype
        if in_tf1_graph():
            with tf.compat.v1.variable_scope(path, auxiliary_name_scope=False):
                build_cell(cell, depth, dtype)
            return
        if cell.tf1_scope is None:
            cell.tf1_scope = join(join(self.canonical_scope, path), cell.tf1_base_name)
        build_cell(cell, depth, dtype)

    def _cells_of_layer(self, index: int) -> list:
        if self.num_dirs == 1:
            return [(self.cells_fw[index], f"rnn/multi_rnn_cell/cell_{index}")]
        prefix = f"stack_bidirectional_rnn/cell_{index}/bidirectional_rnn"
        return [(self.cells_fw[index], f"{prefix}/fw"), (self.cells_bw[index], f"{prefix}/bw")]

    def tf1_variables(self) -> dict[str, Any]:
        """The canonical variables by TF1 name, as the saveable wrote them."""
        variables: dict[str, Any] = {}
        for cell in self.cells_fw + self.cells_bw:
            variables.update(cell.tf1_variables())
        return variables

    # -- running ----------------------------------------------------------------------
    def call(self, inputs: Any, initial_state: Any = None, sequence_lengths: Any = None, time_major: bool = True,
             training: Any = True) -> tuple[tf.Tensor, tuple]:
        if initial_state is not None and not isinstance(initial_state, (tuple, list)):
            raise TypeError(f"Invalid initial_state type: {initial_state}, expecting tuple.")
        inputs = tf.convert_to_tensor(inputs, dtype=self.compute_dtype)
        lengths = None if sequence_lengths is None else tf.cast(tf.convert_to_tensor(sequence_lengths), tf.int32)
        if initial_state is not None:
            initial_state = [tf.convert_to_tensor(t, dtype=self.compute_dtype) for t in initial_state]
        if not isinstance(training, (bool, type(None))):
            training = tf.convert_to_tensor(training)
        run = self._run_stack
        if tf.executing_eagerly():
            # One graph for the whole stack (the engine would compile each layer's loop on its own).
            if self.__dict__.get("_compiled_stack") is None:
                object.__setattr__(self, "_compiled_stack", tf.function(self._run_stack, reduce_retracing=True))
            run = self._compiled_stack
        return run(inputs, lengths, initial_state, bool(time_major), training)

    def _run_stack(self, inputs: tf.Tensor, lengths: Any, initial_state: Any, time_major: bool,
                   training: Any) -> tuple[tf.Tensor, tuple]:
        layer_inputs = inputs if time_major else tf.transpose(inputs, [1, 0, 2])
        states = self._initial_states(initial_state, time_major)
        final_states = []
        for index in range(self.num_layers):
            cells = [cell for cell, _ in self._cells_of_layer(index)]
            layer_states = states[index * self.num_dirs:(index + 1) * self.num_dirs]
            if self.num_dirs == 1:
                outputs, state = run_dynamic_rnn(cells[0], layer_inputs, lengths, layer_states[0], False, True)
                final_states.append(state)
            else:
                (outputs_fw, outputs_bw), (state_fw, state_bw) = run_bidirectional_dynamic_rnn(
                    cells[0], cells[1], layer_inputs, lengths, layer_states[0], layer_states[1], False, True
                )
                outputs = tf.concat([outputs_fw, outputs_bw], axis=2)
                final_states += [state_fw, state_bw]
            if index < self.num_layers - 1:
                outputs = self._dropout_between_layers(outputs, training)
            layer_inputs = outputs
        outputs = layer_inputs if time_major else tf.transpose(layer_inputs, [1, 0, 2])
        return outputs, self._stacked(final_states, time_major)

    def _initial_states(self, initial_state: Any, time_major: bool) -> list:
        """Keras-ordered states per pseudo-layer (None: zeros)."""
        pseudo_layers = self.num_layers * self.num_dirs
        if initial_state is None:
            return [None] * pseudo_layers
        tensors = list(initial_state)
        if len(tensors) != (2 if self.has_cell_state else 1):
            raise ValueError(f"{type(self).__name__}: initial_state must be {'(h, c)' if self.has_cell_state else '(h,)'}")
        if not time_major:
            tensors = [tf.transpose(t, [1, 0, 2]) for t in tensors]
        return [[t[index] for t in tensors] for index in range(pseudo_layers)]

    def _stacked(self, final_states: list, time_major: bool) -> tuple:
        stacked = [tf.stack([state[position] for state in final_states]) for position in range(len(final_states[0]))]
        if not time_major:
            stacked = [tf.transpose(t, [1, 0, 2]) for t in stacked]
        return tuple(stacked)

    def _dropout_between_layers(self, outputs: tf.Tensor, training: Any) -> tf.Tensor:
        if not self.dropout:
            return outputs
        dropped = lambda: tf.nn.dropout(outputs, rate=self.dropout, seed=self.seed)  # noqa: E731
        if isinstance(training, (bool, type(None))):
            return dropped() if training else outputs
        return tf.cond(tf.cast(training, tf.bool), dropped, lambda: outputs)

    # -- config -----------------------------------------------------------------------
    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "num_layers": self.num_layers, "num_units": self.num_units, "input_mode": self.input_mode,
            "direction": self.direction, "dropout": self.dropout, "seed": self.seed,
            "kernel_initializer": serializable_initializer(self.kernel_initializer),
            "bias_initializer": serializable_initializer(self.bias_initializer),
            "canonical_scope": self.canonical_scope, LAYOUT_KEY: LAYOUT_VERSION,
        })
        return config

    @classmethod
    def from_config(cls, config: dict) -> "_CudnnRNN":
        config = dict(config)
        check_layout(cls.__name__, config)
        return cls(**config)


_SKIP_INPUT = (
    "input_mode='skip_input' (cuDNN adds the input to the first layer's gates with no input weights) "
    "has no canonical cuDNN-compatible cell in TF 1.15 and is not supported"
)


class _LayerScope:
    """TF1 Layer ``_set_scope``: a unique scope named after the layer, under the current one."""

    def __init__(self, layer: _CudnnRNN):
        self.layer = layer
        self.scope = tf.compat.v1.variable_scope(None, default_name=layer.tf1_base_name, auxiliary_name_scope=False)

    def __enter__(self) -> None:
        self.layer.canonical_scope = self.scope.__enter__().name

    def __exit__(self, *exc_info: Any) -> Any:
        return self.scope.__exit__(*exc_info)


@register
class CudnnLSTM(_CudnnRNN):
    """``tf.contrib.cudnn_rnn.CudnnLSTM``: states ``(h, c)``."""

    default_tf1_scope_name = "cudnn_lstm"
    rnn_mode = "lstm"
    has_cell_state = True

    def make_cell(self) -> CudnnCompatibleLSTMCell:
        return CudnnCompatibleLSTMCell(self.num_units, **self.initializers())


@register
class CudnnGRU(_CudnnRNN):
    """``tf.contrib.cudnn_rnn.CudnnGRU`` (reset after the recurrent matmul): states ``(h,)``."""

    default_tf1_scope_name = "cudnn_gru"
    rnn_mode = "gru"

    def make_cell(self) -> CudnnCompatibleGRUCell:
        return CudnnCompatibleGRUCell(self.num_units, **self.initializers())


@register
class CudnnRNNTanh(_CudnnRNN):
    """``tf.contrib.cudnn_rnn.CudnnRNNTanh``: a stack of ``BasicRNNCell(tanh)``."""

    default_tf1_scope_name = "cudnn_rnn_tanh"
    rnn_mode = "rnn_tanh"
    activation = "tanh"

    def make_cell(self) -> BasicRNNCell:
        return BasicRNNCell(self.num_units, activation=self.activation, dtype=self.dtype)


@register
class CudnnRNNRelu(CudnnRNNTanh):
    """``tf.contrib.cudnn_rnn.CudnnRNNRelu``: a stack of ``BasicRNNCell(relu)``."""

    default_tf1_scope_name = "cudnn_rnn_relu"
    rnn_mode = "rnn_relu"
    activation = "relu"

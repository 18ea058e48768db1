"""TF 1.x's block (fused-kernel) cells from ``tf.contrib.rnn``, with TF1's variables and math.

Read from TF 1.15's ``tensorflow/contrib/rnn/python/ops/lstm_ops.py`` and ``gru_ops.py``:

* ``LSTMBlockCell``: the ``LSTMBlockCell`` kernel computes ``LSTMCell``'s math (gates i, j, f, o
  of one ``kernel [d + u, 4u]``, ``forget_bias`` added at run time, peepholes ``w_i_diag``,
  ``w_f_diag``, ``w_o_diag``, the new cell clipped before the output gate's peephole), scope
  ``lstm_cell``.  Its ``cell_clip`` clips only when positive (the kernel's ``-1`` means none).
* ``LSTMBlockFusedCell``: the same variables under ``lstm_fused_cell``, run over a whole
  time-major sequence: ``cell(inputs [T, B, D], initial_state=(c, h), dtype, sequence_length)``.
  Outputs past a row's length are zero and the final state is the one after step ``length - 1``
  (the initial state for length 0), what ``LSTMBlockWrapper._gather_states`` read.
* ``GRUBlockCell`` / ``GRUBlockCellV2``: ``GRUCell``'s math (gates r, u, candidate from
  ``[x, r * h]``, tanh) under ``gru_cell``; V1 names the variables ``w_ru``, ``b_ru``, ``w_c``,
  ``b_c``, V2 ``gates/kernel``, ``gates/bias``, ``candidate/kernel``, ``candidate/bias``.
"""

from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from rnnmigrate.layers.cells import GRUCell, build_cell
from rnnmigrate.layers.config import keras_dtype, register
from rnnmigrate.layers.compiled import run_dynamic_rnn
from rnnmigrate.layers.lstm import _LSTMBase
from rnnmigrate.layers.states import LSTMStateTuple
from rnnmigrate.layers.variables import current_scope_name, in_tf1_graph, join


def _kernel_clip(cell_clip: float | None) -> float | None:
    """The block kernels clip the cell only for ``cell_clip > 0``."""
    return float(cell_clip) if cell_clip is not None and cell_clip > 0 else None


class _BlockLSTMBase(_LSTMBase):
    """LSTMCell's step with the block kernels' arguments and variable order."""

    default_tf1_scope_name = "lstm_cell"

    def _init_block(self, num_units: int, forget_bias: float, cell_clip: float | None, use_peephole: bool) -> None:
        self._init_lstm(num_units, forget_bias, True, None)
        self.use_peepholes = bool(use_peephole)
        self.cell_clip = _kernel_clip(cell_clip)

    def create_variables(self, depth: int, dtype: Any) -> None:
        units = self.units
        self.add_tf1_variable("kernel", (depth + units, 4 * units))
        self.add_tf1_variable("bias", (4 * units,), tf.compat.v1.zeros_initializer())
        if self.use_peepholes:
            for name in ("w_i_diag", "w_f_diag", "w_o_diag"):
                self.add_tf1_variable(name, (units,))

    def get_config(self) -> dict:
        return {
            **self._base_config(),
            "num_units": self.units,
            "forget_bias": self.forget_bias,
            "cell_clip": self.cell_clip,
            "use_peephole": self.use_peepholes,
        }


@register
class LSTMBlockCell(_BlockLSTMBase):
    """TF1 ``tf.contrib.rnn.LSTMBlockCell``; a cell for DynamicRNN and the other runtime layers."""

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip: float | None = None,
                 use_peephole: bool = False, dtype: Any = None, reuse: Any = None, name: str | None = None,
                 **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._init_block(num_units, forget_bias, cell_clip, use_peephole)


@register
class LSTMBlockFusedCell(_BlockLSTMBase):
    """TF1 ``tf.contrib.rnn.LSTMBlockFusedCell``: a layer over a whole time-major sequence.

    ``outputs, state = cell(inputs, initial_state=None, dtype=None, sequence_length=None, scope=None)``
    with ``inputs`` ``[T, B, D]`` (or a list of T ``[B, D]`` tensors: the outputs are a list then),
    ``initial_state`` a ``(c, h)`` pair and ``state`` an ``LSTMStateTuple(c, h)``.
    """

    default_tf1_scope_name = "lstm_fused_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, cell_clip: float | None = None,
                 use_peephole: bool = False, reuse: Any = None, dtype: Any = None, name: str | None = None,
                 **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._init_block(num_units, forget_bias, cell_clip, use_peephole)
        self._convert_input_args = False

    def __call__(self, inputs: Any, initial_state: Any = None, dtype: Any = None, sequence_length: Any = None,
                 scope: Any = None, **kwargs: Any) -> tuple[Any, LSTMStateTuple]:
        is_list = isinstance(inputs, (list, tuple))
        if is_list:
            inputs = tf.stack(inputs)
        elif not isinstance(inputs, keras.KerasTensor):
            inputs = tf.convert_to_tensor(inputs)
        if len(inputs.shape) != 3:
            raise ValueError(f"LSTMBlockFusedCell expects time-major inputs [time, batch, depth]; got {inputs.shape}")
        if initial_state is None and dtype is None:
            raise ValueError("Either initial_state or dtype needs to be specified")
        if initial_state is not None and len(initial_state) != 2:
            raise ValueError("Expecting initial_state to be a tuple with length 2 or None")
        if not self.built and not isinstance(inputs, keras.KerasTensor):
            self._build_in_scope(inputs, scope)
        outputs, state = super().__call__(
            inputs,
            initial_state=None if initial_state is None else tuple(initial_state),
            dtype=None if dtype is None else tf.as_dtype(keras_dtype(dtype)).name,
            sequence_length=sequence_length,
            **kwargs,
        )
        return (tf.unstack(outputs) if is_list else outputs), state

    def _build_in_scope(self, inputs: tf.Tensor, scope: Any) -> None:
        object.__setattr__(self, "_scope_argument", scope)
        try:
            build_cell(self, inputs.shape[-1], inputs.dtype)
        finally:
            object.__setattr__(self, "_scope_argument", None)

    def build(self, input_shape: Any) -> None:
        """TF1's layer scope: ``scope`` as given on the first call, else a unique ``lstm_fused_cell``."""
        scope = getattr(self, "_scope_argument", None)
        if scope is None:
            super().build(input_shape)
            return
        dtype = self._variable_dtype()
        if in_tf1_graph():
            with tf.compat.v1.variable_scope(scope) as opened:
                self.tf1_scope = opened.name
                self.create_variables(int(input_shape[-1]), dtype)
        else:
            self.tf1_scope = join(current_scope_name(), getattr(scope, "name", scope))
            self.create_variables(int(input_shape[-1]), dtype)

    def call(self, inputs: tf.Tensor, initial_state: tuple | None = None, dtype: str | None = None,
             sequence_length: Any = None, training: bool | None = None) -> tuple[tf.Tensor, LSTMStateTuple]:
        if initial_state is None:
            zeros = tf.zeros(tf.stack([tf.shape(inputs)[1], self.units]), dtype=dtype)
            initial_state = (zeros, zeros)
        lengths = None if sequence_length is None else tf.cast(tf.convert_to_tensor(sequence_length), tf.int32)
        c, h = (tf.cast(tensor, inputs.dtype) for tensor in initial_state)
        outputs, (h, c) = run_dynamic_rnn(self, inputs, lengths, [h, c], bool(training), True)
        return outputs, LSTMStateTuple(c=c, h=h)


@register
class GRUBlockCellV2(GRUCell):
    """TF1 ``tf.contrib.rnn.GRUBlockCellV2``: ``GRUCell``'s variables and math (tanh, gate bias 1.0)."""

    def __init__(self, num_units: int | None = None, cell_size: int | None = None, reuse: Any = None,
                 name: str | None = None, **kwargs: Any):
        if (cell_size is None) == (num_units is None):
            raise ValueError("Exactly one of num_units or cell_size must be provided.")
        for unused in ("activation", "kernel_initializer", "bias_initializer"):
            kwargs.pop(unused, None)
        super().__init__(num_units if num_units is not None else cell_size, name=name, **kwargs)

    def get_config(self) -> dict:
        return {**self._base_config(), "num_units": self.units}


@register
class GRUBlockCell(GRUBlockCellV2):
    """TF1 ``tf.contrib.rnn.GRUBlockCell``: GRUBlockCellV2 with the variables ``w_ru``, ``b_ru``, ``w_c``, ``b_c``."""

    kernel_name = "w_ru"
    gate_bias_name = "b_ru"
    candidate_kernel_name = "w_c"
    candidate_bias_name = "b_c"

"""Our own RNNCell subclasses, written once and defined twice: on TF1's legacy base and on the runtime's.

``define(base)`` runs the same class bodies against ``base``, a namespace with ``RNNCell``,
``LSTMCell`` and ``LSTMStateTuple``: tf-keras's ``tf.compat.v1.nn.rnn_cell`` (the TF1
oracle) or ``rnnmigrate.layers`` (what the rewrite turns the base class into). The
bodies use ``tf.compat.v1`` as TF1 code upgraded to run on TF 2 does.
"""

from __future__ import annotations

import types

import tensorflow as tf

v1 = tf.compat.v1


def define(base: types.SimpleNamespace) -> dict[str, type]:
    class GetVariableCell(base.RNNCell):
        """``get_variable`` in ``call``, one variable in a nested scope, a bias."""

        def __init__(self, num_units, activation=None, reuse=None, name=None):
            super().__init__(_reuse=reuse, name=name)
            self._num_units = num_units
            self._activation = activation or tf.tanh

        @property
        def state_size(self):
            return self._num_units

        @property
        def output_size(self):
            return self._num_units

        def call(self, inputs, state):
            depth = inputs.shape[-1]
            kernel = v1.get_variable("kernel", [depth + self._num_units, self._num_units])
            with v1.variable_scope("gate"):
                gate_kernel = v1.get_variable("kernel", [depth, self._num_units])
                gate_bias = v1.get_variable("bias", [self._num_units], initializer=v1.zeros_initializer())
            gate = tf.sigmoid(tf.matmul(inputs, gate_kernel) + gate_bias)
            candidate = self._activation(tf.matmul(tf.concat([inputs, state], 1), kernel))
            new_h = gate * candidate + (1.0 - gate) * state
            return new_h, new_h

    class BuildLSTMCell(base.RNNCell):
        """``add_variable`` in ``build``, an ``LSTMStateTuple`` state, a coupled input/forget gate."""

        def __init__(self, num_units, forget_bias=1.0):
            super().__init__()
            self._num_units = num_units
            self._forget_bias = forget_bias

        @property
        def state_size(self):
            return base.LSTMStateTuple(self._num_units, self._num_units)

        @property
        def output_size(self):
            return self._num_units

        def build(self, inputs_shape):
            depth = inputs_shape[-1]
            self._kernel = self.add_variable("kernel", shape=[depth + self._num_units, 3 * self._num_units])
            self._bias = self.add_variable("bias", shape=[3 * self._num_units], initializer=v1.zeros_initializer())
            self.built = True

        def call(self, inputs, state):
            c, h = state
            gates = tf.matmul(tf.concat([inputs, h], 1), self._kernel) + self._bias
            j, f, o = tf.split(gates, 3, axis=1)
            forget = tf.sigmoid(f + self._forget_bias)
            new_c = forget * c + (1.0 - forget) * tf.tanh(j)
            new_h = tf.tanh(new_c) * tf.sigmoid(o)
            return new_h, base.LSTMStateTuple(new_c, new_h)

    class ProjectedLSTMWrapper(base.RNNCell):
        """An inner ``LSTMCell`` built in ``__init__``; the inputs projected by a ``get_variable`` first."""

        def __init__(self, num_units, projection):
            super().__init__()
            self._cell = base.LSTMCell(num_units)
            self._projection = projection

        @property
        def state_size(self):
            return self._cell.state_size

        @property
        def output_size(self):
            return self._cell.output_size

        def call(self, inputs, state):
            weights = v1.get_variable("input_projection", [inputs.shape[-1], self._projection])
            return self._cell(tf.nn.relu(tf.matmul(inputs, weights)), state)

        def zero_state(self, batch_size, dtype):
            return self._cell.zero_state(batch_size, dtype)

    class OldStyleCell(base.RNNCell):
        """TF 1.0 style: no base ``__init__``, its own ``__call__`` and scope, a tuple of two states."""

        def __init__(self, units_a, units_b):
            self._a, self._b = units_a, units_b

        @property
        def state_size(self):
            return (self._a, self._b)

        @property
        def output_size(self):
            return self._a + self._b

        def __call__(self, inputs, state, scope=None):
            with v1.variable_scope(scope or "old_style"):
                a, b = state
                w_a = v1.get_variable("w_a", [inputs.shape[-1] + self._b, self._a])
                w_b = v1.get_variable("w_b", [self._a, self._b])
                new_a = tf.tanh(tf.matmul(tf.concat([inputs, b], 1), w_a))
                new_b = tf.sigmoid(tf.matmul(new_a + a, w_b))
            return tf.concat([new_a, new_b], 1), (new_a, new_b)

    class LearnedStartCell(base.RNNCell):
        """A custom ``zero_state`` (a fixed non-zero start) around an Elman step."""

        def __init__(self, num_units):
            super().__init__()
            self._num_units = num_units

        @property
        def state_size(self):
            return self._num_units

        @property
        def output_size(self):
            return self._num_units

        def zero_state(self, batch_size, dtype):
            return tf.fill(tf.stack([batch_size, self._num_units]), tf.constant(0.5, dtype))

        def call(self, inputs, state):
            kernel = v1.get_variable("kernel", [inputs.shape[-1] + self._num_units, self._num_units])
            bias = v1.get_variable("bias", [self._num_units])
            output = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), kernel) + bias)
            return output, output

    return {cls.__name__: cls for cls in (GetVariableCell, BuildLSTMCell, ProjectedLSTMWrapper, OldStyleCell, LearnedStartCell)}


def tf1_base() -> types.SimpleNamespace:
    cells = v1.nn.rnn_cell
    return types.SimpleNamespace(RNNCell=cells.RNNCell, LSTMCell=cells.LSTMCell, LSTMStateTuple=cells.LSTMStateTuple)


def runtime_base() -> types.SimpleNamespace:
    import rnnmigrate.layers as runtime

    return types.SimpleNamespace(RNNCell=runtime.RNNCell, LSTMCell=runtime.LSTMCell, LSTMStateTuple=runtime.LSTMStateTuple)


# How each test builds a cell of a class: constructor arguments.
ARGUMENTS = {
    "GetVariableCell": (4,),
    "BuildLSTMCell": (4, 0.5),
    "ProjectedLSTMWrapper": (3, 2),
    "OldStyleCell": (3, 2),
    "LearnedStartCell": (4,),
}

"""The project's own cells: RNNCell subclasses that another module builds and runs."""
import tensorflow as tf
from rnnmigrate.layers import RNNCell


class ZoneoutWrapper(RNNCell):  # expect: RNN106=auto
    """Runs the cell it is given, then mixes the old state into the new one."""

    def __init__(self, cell, keep):
        super().__init__()
        self._cell, self._keep = cell, keep

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        return output, self._keep * state + (1.0 - self._keep) * new_state


class StackCell(RNNCell):  # expect: RNN106=auto
    def __init__(self, units):
        super().__init__()
        self._units = units

    @property
    def state_size(self):
        return self._units

    @property
    def output_size(self):
        return self._units

    def call(self, inputs, state):
        kernel = tf.compat.v1.get_variable("kernel", [inputs.shape[-1] + self._units, self._units])
        new_state = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), kernel))
        return new_state, new_state


class QueueCell(StackCell):
    """A subclass of the project's own cell: it migrates with StackCell."""

    def call(self, inputs, state):
        output, new_state = super().call(inputs, state)
        return -output, new_state


class CheckedWrapper(tf.nn.rnn_cell.RNNCell):  # expect: RNN106=manual
    def __init__(self, cell):
        if not isinstance(cell, tf.nn.rnn_cell.RNNCell):  # expect: RNN106=manual
            raise TypeError("not a TF1 cell")
        super().__init__()
        self._cell = cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def call(self, inputs, state):
        return self._cell(inputs, state)

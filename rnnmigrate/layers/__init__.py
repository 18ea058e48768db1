"""Keras 3 runtime for migrated TF1 RNN code.

Layers that return exactly what ``tf.nn.dynamic_rnn`` and friends returned,
cells that take TF1's constructor arguments, and TF1 weight import.
Imports only tensorflow, keras and numpy.
"""

from rnnmigrate.layers.cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell, MultiRNNCell, PerGateConstant
from rnnmigrate.layers.compat_lstm import CompatLSTMCell
from rnnmigrate.layers.dropout import DropoutWrapper
from rnnmigrate.layers.rnn import BidirectionalDynamicRNN, DynamicRNN, static_bidirectional_rnn, static_rnn
from rnnmigrate.layers.states import LSTMStateTuple
from rnnmigrate.layers.weights import load_tf1_weights, tf1_weights

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "BidirectionalDynamicRNN",
    "CompatLSTMCell",
    "DropoutWrapper",
    "DynamicRNN",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "MultiRNNCell",
    "PerGateConstant",
    "load_tf1_weights",
    "static_bidirectional_rnn",
    "static_rnn",
    "tf1_weights",
]

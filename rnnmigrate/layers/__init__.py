"""Keras 3 runtime for migrated TF1 RNN code.

Layers that return exactly what ``tf.nn.dynamic_rnn`` and friends returned,
cells that take TF1's constructor arguments and keep TF1's variables (names,
shapes, layout), so TF1 checkpoints restore with the program's own Saver.
Imports only tensorflow, keras and numpy.
"""

from rnnmigrate.layers.cells import BasicRNNCell, GRUCell
from rnnmigrate.layers.custom import LayerRNNCell, RNNCell
from rnnmigrate.layers.dropout import DropoutWrapper
from rnnmigrate.layers.keras_cells import KerasGRUCell, KerasLSTMCell, KerasSimpleRNNCell
from rnnmigrate.layers.lstm import BasicLSTMCell, LSTMCell
from rnnmigrate.layers.multi_rnn import MultiRNNCell
from rnnmigrate.layers.rnn import BidirectionalDynamicRNN, DynamicRNN, static_bidirectional_rnn, static_rnn
from rnnmigrate.layers.states import LSTMStateTuple
from rnnmigrate.layers.variables import VariableStore
from rnnmigrate.layers.weights import load_tf1_weights, tf1_weights

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "BidirectionalDynamicRNN",
    "DropoutWrapper",
    "DynamicRNN",
    "GRUCell",
    "KerasGRUCell",
    "KerasLSTMCell",
    "KerasSimpleRNNCell",
    "LSTMCell",
    "LSTMStateTuple",
    "LayerRNNCell",
    "MultiRNNCell",
    "RNNCell",
    "VariableStore",
    "load_tf1_weights",
    "static_bidirectional_rnn",
    "static_rnn",
    "tf1_weights",
]

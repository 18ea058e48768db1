"""Keras 3 runtime for migrated TF1 RNN code.

Layers that return exactly what ``tf.nn.dynamic_rnn`` and friends returned,
cells that take TF1's constructor arguments and keep TF1's variables (names,
shapes, layout), so TF1 checkpoints restore with the program's own Saver.
Imports only tensorflow, keras and numpy.
"""

from rnnmigrate.layers.block_cells import GRUBlockCell, GRUBlockCellV2, LSTMBlockCell, LSTMBlockFusedCell
from rnnmigrate.layers.cells import BasicRNNCell, GRUCell
from rnnmigrate.layers.contrib_cells import LayerNormBasicLSTMCell, NASCell
from rnnmigrate.layers.cudnn_cells import CudnnCompatibleGRUCell, CudnnCompatibleLSTMCell
from rnnmigrate.layers.cudnn_params import (
    canonical_to_opaque,
    canonical_to_tf1,
    opaque_to_canonical,
    opaque_to_tf1_variables,
    tf1_to_canonical,
)
from rnnmigrate.layers.cudnn_rnn import CudnnGRU, CudnnLSTM, CudnnRNNRelu, CudnnRNNTanh
from rnnmigrate.layers.custom import LayerRNNCell, RNNCell
from rnnmigrate.layers.dropout import DropoutWrapper
from rnnmigrate.layers.keras_cells import KerasGRUCell, KerasLSTMCell, KerasSimpleRNNCell
from rnnmigrate.layers.lstm import BasicLSTMCell, LSTMCell
from rnnmigrate.layers.multi_rnn import MultiRNNCell
from rnnmigrate.layers.projection_wrappers import InputProjectionWrapper, OutputProjectionWrapper
from rnnmigrate.layers.rnn import BidirectionalDynamicRNN, DynamicRNN, static_bidirectional_rnn, static_rnn
from rnnmigrate.layers.states import LSTMStateTuple
from rnnmigrate.layers.variables import VariableStore
from rnnmigrate.layers.weights import load_tf1_weights, tf1_weights
from rnnmigrate.layers.wrappers import DeviceWrapper, ResidualWrapper

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "BidirectionalDynamicRNN",
    "CudnnCompatibleGRUCell",
    "CudnnCompatibleLSTMCell",
    "CudnnGRU",
    "CudnnLSTM",
    "CudnnRNNRelu",
    "CudnnRNNTanh",
    "DeviceWrapper",
    "DropoutWrapper",
    "DynamicRNN",
    "GRUBlockCell",
    "GRUBlockCellV2",
    "GRUCell",
    "InputProjectionWrapper",
    "KerasGRUCell",
    "KerasLSTMCell",
    "KerasSimpleRNNCell",
    "LSTMBlockCell",
    "LSTMBlockFusedCell",
    "LSTMCell",
    "LSTMStateTuple",
    "LayerNormBasicLSTMCell",
    "LayerRNNCell",
    "MultiRNNCell",
    "NASCell",
    "OutputProjectionWrapper",
    "RNNCell",
    "ResidualWrapper",
    "VariableStore",
    "canonical_to_opaque",
    "canonical_to_tf1",
    "load_tf1_weights",
    "opaque_to_canonical",
    "opaque_to_tf1_variables",
    "static_bidirectional_rnn",
    "static_rnn",
    "tf1_to_canonical",
    "tf1_weights",
]

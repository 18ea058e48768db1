"""RNN108: ``tf.contrib.cudnn_rnn``: the cuDNN layers, the compatible cells and the opaque buffers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnnmigrate.rules.base import Assessment, RewriteResult, Rule, Site, names_in
from rnnmigrate.rules.cells import as_assessment, bind_cell, cell_info
from rnnmigrate.rules.common import literal, texts

if TYPE_CHECKING:
    import libcst as cst

    from rnnmigrate.rules.base import RewriteContext

CUDNN_MODULES = (
    "tensorflow.contrib.cudnn_rnn",
    "tensorflow.contrib.cudnn_rnn.python.layers.cudnn_rnn",
    "tensorflow.contrib.cudnn_rnn.python.ops.cudnn_rnn_ops",
)
LAYERS = ("CudnnLSTM", "CudnnGRU", "CudnnRNNTanh", "CudnnRNNRelu")
COMPATIBLE_CELLS = ("CudnnCompatibleLSTMCell", "CudnnCompatibleGRUCell")
OPAQUE = (
    "CudnnLSTMSaveable", "CudnnGRUSaveable", "CudnnRNNTanhSaveable", "CudnnRNNReluSaveable", "CudnnOpaqueParamsSaveable",
    "RNNParamsSaveable",
    "cudnn_lstm", "cudnn_gru", "cudnn_rnn_tanh", "cudnn_rnn_relu",
    "cudnn_rnn_opaque_params_to_canonical", "cudnn_rnn_canonical_to_opaque_params", "cudnn_rnn_opaque_params_size",
)
_LAYER_SIGNATURE = ("num_layers", "num_units", "input_mode", "direction", "dropout", "seed", "dtype",
                    "kernel_initializer", "bias_initializer", "name")
SIGNATURES = {
    "CudnnCompatibleLSTMCell": ("num_units", "reuse"),
    "CudnnCompatibleGRUCell": ("num_units", "reuse", "kernel_initializer"),
    **{layer: _LAYER_SIGNATURE for layer in LAYERS},
}
_OPAQUE_REASON = (
    "{kind} handles the weights as one opaque cuDNN parameter buffer. Write the checkpoint through "
    "CudnnLSTM/CudnnGRU's canonical saveable (or convert the buffer with "
    "rnnmigrate.layers.opaque_to_canonical: layout proven on the CPU against Keras's cuDNN weight "
    "standardisation only, not against a GPU's cuDNN) and use rnnmigrate.layers.CudnnLSTM/CudnnGRU"
)


def assess(site: Site) -> Assessment:
    kind = site.short_name
    if kind not in SIGNATURES or (kind in LAYERS and _is_opaque_params_class(site)):
        return as_assessment(cell_info(site, {}, _OPAQUE_REASON.format(kind=kind)))
    bound = bind_cell(site, SIGNATURES)
    if not isinstance(bound, dict):
        return as_assessment(bound)
    differences = ("cudnn-canonical-weights",)
    if kind in LAYERS:
        # A layer runs itself: no RNN call has to take it along (it carries no cell).
        problem = _problem(bound)
        return Assessment("manual" if problem else "auto", problem, texts(bound, _LAYER_SIGNATURE), (), differences)
    return as_assessment(cell_info(site, bound, None, differences))


def _is_opaque_params_class(site: Site) -> bool:
    """``cudnn_rnn_ops.CudnnLSTM(num_layers, num_units, input_size, ...)`` (and ``tf.contrib.cudnn_rnn``'s before
    TF 1.4): a model called with an opaque ``params`` tensor, not the layer."""
    if ".python.ops.cudnn_rnn_ops." in site.qualified:
        return True
    call = site.call
    if call is None:
        return False
    third = call.args[2] if len(call.args) > 2 else None
    return any(keyword.arg == "input_size" for keyword in call.keywords) or (
        third is not None and not isinstance(literal(third), str)
    )


def _problem(bound: dict) -> str | None:
    mode = literal(bound.get("input_mode"), "linear_input")
    if mode == "skip_input":
        return "input_mode='skip_input' has no input weights in the first layer and no compatible cell in TF 1.15"
    if mode == "auto_select":
        return "input_mode='auto_select' means skip_input when the input depth equals num_units; say linear_input if it does not"
    if mode is ...:
        return "input_mode is not a literal; the runtime supports only 'linear_input'"
    return None


def rewrite(call: cst.Call, context: RewriteContext) -> RewriteResult:
    from rnnmigrate.rules.layer_calls import rename_class

    return rename_class(call, context)


RULE = Rule(
    code="RNN108",
    name="cudnn-rnn",
    summary="tf.contrib.cudnn_rnn layer, compatible cell or opaque buffer",
    apis=names_in(CUDNN_MODULES, LAYERS + COMPATIBLE_CELLS + OPAQUE),
    kind="cell",
    what="Finds `tf.contrib.cudnn_rnn.CudnnLSTM`, `CudnnGRU`, `CudnnRNNTanh`, `CudnnRNNRelu`, "
    "the `CudnnCompatibleLSTMCell` / `CudnnCompatibleGRUCell` classes, the cuDNN saveables and the "
    "opaque-buffer APIs (`cudnn_rnn_ops.cudnn_lstm` with a params tensor, the `cudnn_rnn_ops.CudnnLSTM` "
    "model classes of TF <= 1.3 that take `input_size` and a params tensor, ...).",
    why="`tf.contrib` is gone in TF2, and the cuDNN layers ran only on a GPU. TF 1.15's Saver wrote "
    "their weights through a canonical saveable, as the variables of a stack of cuDNN-compatible "
    "cells (`<scope>/rnn/multi_rnn_cell/cell_k/cudnn_compatible_lstm_cell/kernel`, "
    "`stack_bidirectional_rnn/cell_k/bidirectional_rnn/fw|bw/...` when bidirectional); cuDNN's "
    "two bias sets are summed there, its LSTM has no forget bias and its GRU resets after the "
    "recurrent matmul.",
    fix="The same constructor call on `rnnmigrate.layers.CudnnLSTM` / `CudnnGRU` / `CudnnRNNTanh` / "
    "`CudnnRNNRelu` / `CudnnCompatibleLSTMCell` / `CudnnCompatibleGRUCell`, every argument kept: "
    "Keras 3 layers and cells holding exactly those canonical variables (so the program's own Saver "
    "restores a CudnnLSTM checkpoint by name), running on any device. `input_mode='skip_input'` and "
    "sites whose weights exist only as an opaque buffer (the saveables, the `cudnn_rnn_ops` functions "
    "and model classes, `CudnnLSTM(num_layers, num_units, input_size)`) stay manual.",
    numerics="Exact up to float rounding (max 4e-7 in float32 here). Proven on the CPU: the compatible "
    "cells against the cells rebuilt from the TF 1.15 source in a TF1 graph (the LSTM step is TF's "
    "own LSTMBlockCell kernel) and against Keras 3 `LSTM` / `GRU(reset_after=True)` with the weights "
    "mapped; the layers against TF1 `dynamic_rnn(MultiRNNCell)` / `stack_bidirectional_dynamic_rnn` "
    "stacks of those cells (lengths 0, 1 and T, initial states, batch-major, tf.function, the own "
    "Saver in a TF1 graph, .keras). Not run: the cuDNN kernel itself (no GPU): the stacked state "
    "order (layer-major, forward first) and zero outputs past `sequence_lengths` follow cuDNN's "
    "documentation. Dropout between layers draws other random numbers than cuDNN's. Opaque buffers "
    "(`rnnmigrate.layers.opaque_to_canonical`, `canonical_to_tf1`, `opaque_to_tf1_variables`): the "
    "single-layer, one-direction layout is proven equal to the buffer Keras 3 builds for "
    "`tf.raw_ops.CudnnRNNV3` (intercepted on the CPU), and the converted variables reproduce Keras's "
    "LSTM/GRU; the multi-layer and bidirectional order follows TF 1.15's converter and is not proven, "
    "nor is a GPU's reading of the buffer, so those sites stay manual.",
    example_before="lstm = tf.contrib.cudnn_rnn.CudnnLSTM(num_layers=2, num_units=256)\n"
    "outputs, (h, c) = lstm(inputs)",
    example_after="lstm = CudnnLSTM(num_layers=2, num_units=256)\noutputs, (h, c) = lstm(inputs)",
    assess=assess,
    rewrite=rewrite,
)

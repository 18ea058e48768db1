"""The time loop behind DynamicRNN, BidirectionalDynamicRNN and static_rnn.

It reproduces ``tf.nn.dynamic_rnn``: at step ``t`` a row with ``t >= length``
keeps its state and outputs zero, and the loop stops after ``max(length)``
steps.  For speed:

* runtime cells split a step in two; the input projection ``x @ K + b`` runs
  for all time steps in one matmul before the loop, the loop runs only the
  recurrent part;
* a MultiRNNCell runs layer by layer (each layer one loop), so every layer gets
  the one-matmul input projection.  This is exact: a layer's valid steps only
  depend on the previous layer's valid steps;
* DropoutWrapper's input/output dropout runs on whole sequences outside the
  loop; only state dropout runs per step;
* eager calls run through one ``tf.function`` per cell (a graph, like TF1's).

States here are Keras-ordered (an LSTM carries ``[h, c]``); layers convert.
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from rnnmigrate.layers.dropout import _SALT_INPUT, _SALT_OUTPUT, DropoutWrapper
from rnnmigrate.layers.states import is_stack, zero_keras_state

_PARALLEL_ITERATIONS = 32

# One state-dropout structure per DropoutWrapper around a cell: for every state
# tensor of the cell either None or ``fn(value, step) -> value``.
StateTransforms = list


def dynamic_rnn(
    cell: Any,
    inputs: tf.Tensor,
    lengths: tf.Tensor | None,
    initial_state: Any,
    training: bool,
    time_major: bool,
) -> tuple[tf.Tensor, Any]:
    """``tf.nn.dynamic_rnn`` on Keras-ordered states: returns (outputs, final state)."""
    inputs_tm = inputs if time_major else _swap_batch_and_time(inputs)
    if initial_state is None:
        initial_state = zero_keras_state(cell, tf.shape(inputs_tm)[1], inputs_tm.dtype)
    outputs_tm, final_state = run_cell(cell, inputs_tm, lengths, initial_state, training, [])
    return (outputs_tm if time_major else _swap_batch_and_time(outputs_tm)), final_state


def bidirectional_dynamic_rnn(
    cell_fw: Any,
    cell_bw: Any,
    inputs: tf.Tensor,
    lengths: tf.Tensor | None,
    initial_state_fw: Any,
    initial_state_bw: Any,
    training: bool,
    time_major: bool,
) -> tuple[tuple[tf.Tensor, tf.Tensor], tuple[Any, Any]]:
    """``tf.nn.bidirectional_dynamic_rnn``: the backward cell reads each row reversed within its length."""
    inputs_tm = inputs if time_major else _swap_batch_and_time(inputs)
    outputs_fw, state_fw = dynamic_rnn(cell_fw, inputs_tm, lengths, initial_state_fw, training, True)
    reversed_outputs_bw, state_bw = dynamic_rnn(
        cell_bw, reverse_in_time(inputs_tm, lengths), lengths, initial_state_bw, training, True
    )
    outputs_bw = reverse_in_time(reversed_outputs_bw, lengths)
    if not time_major:
        outputs_fw, outputs_bw = _swap_batch_and_time(outputs_fw), _swap_batch_and_time(outputs_bw)
    return (outputs_fw, outputs_bw), (state_fw, state_bw)


_compiled_dynamic_rnn = tf.function(dynamic_rnn, reduce_retracing=True)
_compiled_bidirectional_dynamic_rnn = tf.function(bidirectional_dynamic_rnn, reduce_retracing=True)


def run_dynamic_rnn(*args: Any) -> tuple[tf.Tensor, Any]:
    """``dynamic_rnn``, compiled to a graph when called eagerly."""
    return (_compiled_dynamic_rnn if tf.executing_eagerly() else dynamic_rnn)(*args)


def run_bidirectional_dynamic_rnn(*args: Any) -> Any:
    """``bidirectional_dynamic_rnn``, compiled to a graph when called eagerly."""
    return (_compiled_bidirectional_dynamic_rnn if tf.executing_eagerly() else bidirectional_dynamic_rnn)(*args)


def reverse_in_time(sequence_tm: tf.Tensor, lengths: tf.Tensor | None) -> tf.Tensor:
    """TF1's ``_reverse``: flip each row's first ``length`` steps, leave its padding in place."""
    if lengths is None:
        return tf.reverse(sequence_tm, axis=[0])
    return tf.reverse_sequence(sequence_tm, lengths, seq_axis=0, batch_axis=1)


def run_cell(
    cell: Any,
    inputs_tm: tf.Tensor,
    lengths: tf.Tensor | None,
    state: Any,
    training: bool,
    state_transforms: list[StateTransforms],
) -> tuple[tf.Tensor, Any]:
    """Run ``cell`` over time-major inputs; returns (time-major outputs, final Keras state)."""
    if is_stack(cell):
        return _run_stack(cell, inputs_tm, lengths, state, training, state_transforms)
    if isinstance(cell, DropoutWrapper):
        return _run_dropout_wrapper(cell, inputs_tm, lengths, state, training, state_transforms)
    return _run_single_cell(cell, inputs_tm, lengths, list(state), training, state_transforms)


def _run_stack(cell, inputs_tm, lengths, state, training, state_transforms):
    outputs, final_states = inputs_tm, []
    for index, layer in enumerate(cell.cells):
        layer_transforms = [transforms[index] for transforms in state_transforms]
        outputs, final_state = run_cell(layer, outputs, lengths, state[index], training, layer_transforms)
        final_states.append(final_state)
    return outputs, final_states


def _run_dropout_wrapper(wrapper, inputs_tm, lengths, state, training, state_transforms):
    if not wrapper.is_active(training):
        return run_cell(wrapper.cell, inputs_tm, lengths, state, training, state_transforms)
    seed = wrapper.draw_seed()
    inputs_tm = wrapper.drop_sequence(inputs_tm, wrapper.input_keep_prob, seed, _SALT_INPUT)
    if wrapper.state_keep_prob < 1.0:
        state_transforms = [_state_dropout_transforms(wrapper, state, seed), *state_transforms]
    outputs, final_state = run_cell(wrapper.cell, inputs_tm, lengths, state, training, state_transforms)
    return wrapper.drop_sequence(outputs, wrapper.output_keep_prob, seed, _SALT_OUTPUT), final_state


def _state_dropout_transforms(wrapper: DropoutWrapper, state: Any, seed: tf.Tensor) -> StateTransforms:
    selected = tf.nest.flatten(wrapper.state_dropout_selection(state))
    values = tf.nest.flatten(state)
    functions = [
        wrapper.state_dropout_function(seed, position, value) if is_selected else None
        for position, (is_selected, value) in enumerate(zip(selected, values))
    ]
    return tf.nest.pack_sequence_as(state, functions)


def _step_function(cell: Any, inputs_tm: tf.Tensor, training: bool) -> tuple[tf.Tensor, Callable]:
    """(per-step loop inputs, step function) for a non-stacked, unwrapped cell."""
    if getattr(cell, "has_fast_path", False) and hasattr(cell, "recurrent_step"):
        return cell.project_inputs(inputs_tm), cell.recurrent_step

    def generic_step(step_inputs: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
        output, new_states = cell(step_inputs, states, training=training)
        return output, list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]

    return inputs_tm, generic_step


def _run_single_cell(cell, inputs_tm, lengths, state, training, state_transforms):
    loop_inputs, step = _step_function(cell, inputs_tm, training)
    time_steps = tf.shape(inputs_tm)[0]
    if lengths is None:
        steps_to_run = time_steps
    else:
        steps_to_run = tf.minimum(time_steps, tf.maximum(tf.reduce_max(lengths), 1))
        still_running_after = tf.expand_dims(lengths, 1)

    inputs_ta = tf.TensorArray(loop_inputs.dtype, size=time_steps, element_shape=loop_inputs.shape[1:])
    inputs_ta = inputs_ta.unstack(loop_inputs)
    outputs_ta = tf.TensorArray(inputs_tm.dtype, size=steps_to_run)

    def body(t, states, outputs_ta):
        output, new_states = step(inputs_ta.read(t), states)
        for transforms in state_transforms:
            new_states = [value if fn is None else fn(value, t) for fn, value in zip(transforms, new_states)]
        if lengths is not None:
            running = t < still_running_after
            new_states = [tf.where(running, new, old) for new, old in zip(new_states, states)]
        return t + 1, new_states, outputs_ta.write(t, output)

    _, final_state, outputs_ta = tf.while_loop(
        lambda t, *_: t < steps_to_run,
        body,
        (tf.constant(0), state, outputs_ta),
        parallel_iterations=_PARALLEL_ITERATIONS,
    )
    outputs = outputs_ta.stack()
    if lengths is not None:
        outputs = _zero_after_lengths(outputs, lengths, time_steps, steps_to_run)
    outputs.set_shape(inputs_tm.shape[:2].concatenate(outputs.shape[2:]))
    return outputs, final_state


def _zero_after_lengths(outputs, lengths, time_steps, steps_run):
    """Pad the steps never run and zero every output at ``t >= length``."""
    static_depth = outputs.shape[2:]
    outputs = tf.pad(outputs, [[0, time_steps - steps_run], [0, 0], [0, 0]])
    valid = tf.transpose(tf.sequence_mask(lengths, maxlen=time_steps))
    outputs = tf.where(tf.expand_dims(valid, 2), outputs, tf.zeros_like(outputs))
    outputs.set_shape(outputs.shape[:2].concatenate(static_depth))
    return outputs


def _swap_batch_and_time(sequence: tf.Tensor) -> tf.Tensor:
    return tf.transpose(sequence, [1, 0] + list(range(2, sequence.shape.rank)))

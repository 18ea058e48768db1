"""The time loop behind DynamicRNN, BidirectionalDynamicRNN and static_rnn.

It reproduces ``tf.nn.dynamic_rnn``: outputs are zero at ``t >= length``, the
final state is each row's state after step ``length - 1`` (the initial state for
length 0), and the loop stops after ``max(length)`` steps.  For speed:

* runtime cells have no per-step masking: batch rows are independent, so
  finished rows run on, their outputs are zeroed in one op after the loop and
  their final state is gathered from the step at ``length - 1``;
* the loop body runs several steps per iteration (exact; less loop control,
  and the steps' input projections, which do not need the state, run
  alongside the recurrent chain; see ``cells``);
* the two directions of a bidirectional RNN share one loop;
* a MultiRNNCell runs layer by layer (each layer one loop).  This is exact: a
  layer's valid steps only depend on the previous layer's valid steps;
* DropoutWrapper's input/output dropout runs on whole sequences outside the
  loop; only state dropout runs per step;
* eager calls run through a ``tf.function`` (a graph, like TF1's; ``compiled``).

States here are Keras-ordered (an LSTM carries ``[h, c]``); layers convert.
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from rnnmigrate.layers.dropout import _SALT_INPUT, _SALT_OUTPUT, DropoutWrapper, may_drop
from rnnmigrate.layers.states import is_stack, zero_keras_state

_PARALLEL_ITERATIONS = 32
# Steps per loop iteration: fewer loop-control ops per step, measurably faster on CPU.
_UNROLL = 4

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
    reversed_inputs_tm = reverse_in_time(inputs_tm, lengths)
    single_fw, single_bw = lockstep_cell(cell_fw, training), lockstep_cell(cell_bw, training)
    if single_fw is not None and single_bw is not None:
        batch_size = tf.shape(inputs_tm)[1]
        if initial_state_fw is None:
            initial_state_fw = zero_keras_state(cell_fw, batch_size, inputs_tm.dtype)
        if initial_state_bw is None:
            initial_state_bw = zero_keras_state(cell_bw, batch_size, inputs_tm.dtype)
        tracks = [
            _Track(single_fw, inputs_tm, lengths, initial_state_fw, training, []),
            _Track(single_bw, reversed_inputs_tm, lengths, initial_state_bw, training, []),
        ]
        (outputs_fw, state_fw), (reversed_outputs_bw, state_bw) = _run_tracks(tracks, lengths)
    else:
        outputs_fw, state_fw = dynamic_rnn(cell_fw, inputs_tm, lengths, initial_state_fw, training, True)
        reversed_outputs_bw, state_bw = dynamic_rnn(
            cell_bw, reversed_inputs_tm, lengths, initial_state_bw, training, True
        )
    outputs_bw = reverse_in_time(reversed_outputs_bw, lengths)
    if not time_major:
        outputs_fw, outputs_bw = _swap_batch_and_time(outputs_fw), _swap_batch_and_time(outputs_bw)
    return (outputs_fw, outputs_bw), (state_fw, state_bw)


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
    if may_drop(wrapper.state_keep_prob):
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


def _step_functions(cell: Any, training: bool) -> tuple[Callable, Callable, bool]:
    """(``project(x)``, ``step(projected_x, states)``, whether batch rows are independent).

    Runtime cells compute each row on its own (matmuls and elementwise math), so
    rows past their length may run on and be discarded; an arbitrary Keras cell
    might mix rows (e.g. batch statistics), so it keeps TF1's per-step freeze.
    """
    if getattr(cell, "is_tf1_custom_cell", False):
        return (lambda inputs: inputs), cell.tf1_step, False
    if getattr(cell, "has_fast_path", False) and hasattr(cell, "make_recurrent_step"):
        # A cell whose step depends on training (recurrent dropout) is told here, outside the loop.
        if getattr(cell, "recurrent_step_takes_training", False):
            return cell.make_input_projection(), cell.make_recurrent_step(training), True
        return cell.make_input_projection(), cell.make_recurrent_step(), True

    def generic_step(step_inputs: tf.Tensor, states: list) -> tuple[tf.Tensor, list]:
        output, new_states = cell(step_inputs, states, training=training)
        return output, list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]

    return (lambda inputs: inputs), generic_step, False


def _project(project: Callable, inputs: list, together: bool) -> list:
    """Input projections of the steps of one loop iteration, in one matmul when ``together``."""
    if together and len(inputs) > 1:
        return tf.split(project(tf.concat(inputs, axis=0)), len(inputs), axis=0)
    return [project(step_inputs) for step_inputs in inputs]


class _Track:
    """One non-stacked cell over one time-major sequence, runnable beside other tracks.

    With lengths, rows of runtime cells run past their end: their outputs are
    zeroed afterwards and their final state is read from the step at
    ``length - 1`` (the initial state for length 0), exactly what TF1's
    per-step copy-through produced.
    """

    def __init__(self, cell, inputs_tm, lengths, state, training, state_transforms):
        self.project, self.step, rows_independent = _step_functions(cell, training)
        self.project_together = getattr(cell, "project_unrolled_steps_together", False)
        self.inputs_tm, self.lengths = inputs_tm, lengths
        self.initial_state = [_batch_as_in_inputs(value, inputs_tm) for value in state]
        self.state_transforms = state_transforms
        self.gather_final_state = lengths is not None and rows_independent
        self.freeze_finished_rows = lengths is not None and not rows_independent
        output_is_state = getattr(cell, "output_is_first_state", False) and not state_transforms
        self.first_recorded_state = 1 if output_is_state else 0
        self.records = 1 + (len(self.initial_state) - self.first_recorded_state if self.gather_final_state else 0)
        time_steps = tf.shape(inputs_tm)[0]
        self.inputs_ta = tf.TensorArray(inputs_tm.dtype, size=time_steps, element_shape=inputs_tm.shape[1:])
        self.inputs_ta = self.inputs_ta.unstack(inputs_tm)

    def new_records(self, steps_to_run) -> list:
        return [tf.TensorArray(self.inputs_tm.dtype, size=steps_to_run) for _ in range(self.records)]

    def run_steps(self, t, states, record_tas, count):
        step_inputs = [self.inputs_ta.read(t + offset) for offset in range(count)]
        projected = _project(self.project, step_inputs, self.project_together)
        for offset in range(count):
            now = t + offset
            output, new_states = self.step(projected[offset], states)
            for transforms in self.state_transforms:
                new_states = [value if fn is None else fn(value, now) for fn, value in zip(transforms, new_states)]
            if self.freeze_finished_rows:
                running = now < self.lengths
                new_states = [tf.compat.v1.where(running, new, old) for new, old in zip(new_states, states)]
            recorded = [output, *new_states[self.first_recorded_state :]][: self.records]
            record_tas = [ta.write(now, value) for ta, value in zip(record_tas, recorded)]
            states = new_states
        return states, record_tas

    def finish(self, final_state, record_tas, steps_run):
        recorded = [ta.stack() for ta in record_tas]
        outputs = recorded[0]
        if self.gather_final_state:
            per_step_states = recorded[1:] if self.first_recorded_state == 0 else [outputs, *recorded[1:]]
            final_state = _states_at_lengths(per_step_states, self.lengths, self.initial_state, steps_run)
        time_steps = tf.shape(self.inputs_tm)[0]
        if self.lengths is not None:
            outputs = _zero_after_lengths(outputs, self.lengths, time_steps, steps_run)
        outputs.set_shape(self.inputs_tm.shape[:2].concatenate(outputs.shape[2:]))
        return outputs, final_state


def _batch_as_in_inputs(state: tf.Tensor, inputs_tm: tf.Tensor) -> tf.Tensor:
    """A state whose static batch is known where the inputs' is not (TF1's ``zero_state(1)`` beside
    ``[None, ...]`` inputs) loses that static size, or the while loop rejects its changing shape."""
    if inputs_tm.shape[1] is None and state.shape.rank and state.shape[0] is not None:
        return tf.compat.v1.placeholder_with_default(state, [None, *state.shape[1:]])
    return state


def _run_tracks(tracks: list[_Track], lengths: tf.Tensor | None) -> list[tuple[tf.Tensor, list]]:
    """Run tracks in one while loop, ``_UNROLL`` steps per iteration, then a remainder loop.

    Tracks sharing a loop (the two directions of a bidirectional RNN) give the
    executor independent work at every step.
    """
    time_steps = tf.shape(tracks[0].inputs_tm)[0]
    if lengths is None:
        steps_to_run = time_steps
    else:
        steps_to_run = tf.minimum(time_steps, tf.maximum(tf.reduce_max(lengths), 1))

    def body(count):
        def run(t, states, record_tas):
            results = [track.run_steps(t, s, r, count) for track, s, r in zip(tracks, states, record_tas)]
            return t + count, [states for states, _ in results], [records for _, records in results]

        return run

    loop_vars = (
        tf.constant(0),
        [track.initial_state for track in tracks],
        [track.new_records(steps_to_run) for track in tracks],
    )
    loop_vars = tf.while_loop(
        lambda t, *_: t + _UNROLL <= steps_to_run, body(_UNROLL), loop_vars, parallel_iterations=_PARALLEL_ITERATIONS
    )
    _, final_states, record_tas = tf.while_loop(
        lambda t, *_: t < steps_to_run, body(1), loop_vars, parallel_iterations=_PARALLEL_ITERATIONS
    )
    return [
        track.finish(state, records, steps_to_run) for track, state, records in zip(tracks, final_states, record_tas)
    ]


def _run_single_cell(cell, inputs_tm, lengths, state, training, state_transforms):
    return _run_tracks([_Track(cell, inputs_tm, lengths, state, training, state_transforms)], lengths)[0]


def lockstep_cell(cell: Any, training: bool) -> Any:
    """The single cell ``cell`` runs as (through inactive DropoutWrappers), or None for stacks/active dropout."""
    while isinstance(cell, DropoutWrapper) and not cell.is_active(training):
        cell = cell.cell
    if is_stack(cell) or isinstance(cell, DropoutWrapper):
        return None
    return cell


def _states_at_lengths(per_step_states: list, lengths: tf.Tensor, initial_state: list, steps_run) -> list:
    """Each row's state after its step ``length - 1``; its initial state when the length is 0.

    A length beyond the sequence means its last step, as in TF1.
    """
    last_step = tf.clip_by_value(lengths - 1, 0, steps_run - 1)
    last_step = tf.stack([last_step, tf.range(tf.shape(lengths)[0])], axis=1)
    started = lengths > 0
    return [
        tf.compat.v1.where(started, tf.gather_nd(steps, last_step), initial)
        for steps, initial in zip(per_step_states, initial_state)
    ]


def _zero_after_lengths(outputs, lengths, time_steps, steps_run):
    """Zero every output at ``t >= length`` and pad the steps never run."""
    static_depth = outputs.shape[2:]
    valid = tf.range(steps_run)[:, None] < lengths[None, :]
    outputs = tf.where(valid[:, :, None], outputs, tf.zeros_like(outputs))
    outputs = tf.pad(outputs, [[0, time_steps - steps_run], [0, 0], [0, 0]])
    outputs.set_shape(outputs.shape[:2].concatenate(static_depth))
    return outputs


def _swap_batch_and_time(sequence: tf.Tensor) -> tf.Tensor:
    return tf.transpose(sequence, [1, 0] + list(range(2, sequence.shape.rank)))

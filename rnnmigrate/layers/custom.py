"""TF1's ``RNNCell`` base for a user's own cell: the subclass's code runs as written, on Keras 3.

A migrated ``class MyCell(RNNCell)`` keeps its ``__init__``, ``state_size``,
``output_size``, ``build``, ``call`` (or its own ``__call__``) and ``zero_state``;
only its base class changes.  What TF 1.15 did, and this base does
(``rnn_cell_impl.RNNCell.__call__``, ``layers/base.Layer._set_scope``, both read from TF 1.15):

* a class that keeps the base ``__call__`` runs ``build`` and ``call`` under
  ``<caller scope>/<name>``: the constructor's ``name``, else the class name in
  snake_case (made unique in a TF1 graph), fixed at the first call and reused
  after it.  In ``dynamic_rnn`` the caller scope is ``rnn`` (``bidirectional_rnn/fw``,
  ``multi_rnn_cell/cell_0``...), so ``rnn/my_cell/w``;
* a class that overrides ``__call__`` runs in the caller's scope plus the
  scopes it opens itself;
* ``tf.compat.v1.get_variable``, ``add_variable`` / ``add_weight`` and runtime cells
  built inside it get those names.  In a TF1 graph the graph keeps them, as in
  TF1; elsewhere (eager, ``tf.function``, a Keras model) a variable creator
  routes each ``get_variable`` to the runtime's stores (``variables``), so a name
  met again is the same variable;
* a state is any nest of tensors (``LSTMStateTuple``, tuples); ``dynamic_rnn``
  starts from ``cell.zero_state`` (the subclass's own, when it has one) and
  runs ``call`` step by step with TF1's copy-through of finished rows.

The runtime layers build such a cell with one call on zeros, outside their loop
(TF1 built it inside the loop's first step; the variables are the same).
"""

from __future__ import annotations

import contextlib
import inspect
import re
import weakref
from typing import Any, Iterator

import keras
import tensorflow as tf
from tensorflow.python.ops import variable_scope as _tf_variable_scope  # EagerVariableStore: not in tf.compat.v1

from rnnmigrate.layers.config import keras_dtype
from rnnmigrate.layers.protocol import require_held_cells
from rnnmigrate.layers.variables import VariableStore, _track_in, create_variable, join

_TF1_KEY = "rnnmigrate_tf1_names"


def _tf1_graph_mode() -> bool:
    """A TF1 graph, also inside the runtime's while loop there (its body is a control-flow graph of that graph)."""
    if tf.executing_eagerly():
        return False
    graph = tf.compat.v1.get_default_graph()
    while getattr(graph, "is_control_flow_graph", False):
        graph = graph.outer_graph
    return not hasattr(graph, "outer_graph")


def to_snake_case(name: str) -> str:
    """A class name as TF1 named its layer scope: ``MyGRUCell`` -> ``my_gru_cell``, private names prefixed."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    snake = re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()
    return snake if not snake.startswith("_") else "private" + snake


class _CellStore(VariableStore):
    """The variables a cell's code creates outside any container, tracked by the cell."""

    def __init__(self, cell: Any) -> None:
        super().__init__()
        object.__setattr__(self, "_cell", weakref.ref(cell))

    def add(self, name: str, variable: Any) -> None:
        super().add(name, variable)
        cell = self._cell()
        if cell is not None:
            _track_in(cell, variable)


class _InitialValue(keras.initializers.Initializer):
    """``get_variable``'s initial value (a thunk or a tensor) as a Keras initializer."""

    def __init__(self, value: Any):
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        value = self.value() if callable(self.value) else self.value
        return tf.cast(value, dtype) if dtype is not None else value


def _zeros(batch_size: Any, size: Any, dtype: Any) -> tf.Tensor:
    dims = tf.TensorShape(size).as_list()
    if isinstance(batch_size, int):
        return tf.zeros([batch_size, *dims], dtype=dtype)
    return tf.zeros(tf.stack([batch_size, *dims]), dtype=dtype)


class RNNCell(keras.layers.Layer):
    """``tf.nn.rnn_cell.RNNCell`` for subclasses: TF1's protocol, TF1's variable names.

    A subclass need not call ``super().__init__()`` (TF1 code often did not).
    """

    is_rnnmigrate_runtime = True
    is_tf1_custom_cell = True
    has_fast_path = False
    output_is_first_state = False

    def __new__(cls, *args: Any, **kwargs: Any) -> "RNNCell":
        cell = super().__new__(cls, *args, **kwargs)
        RNNCell._init_tf1_cell(cell)
        return cell

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None, **kwargs: Any):
        unknown = [key for key in kwargs if not key.startswith("_")]
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected keyword arguments {unknown}")
        RNNCell._init_tf1_cell(self, trainable, name, dtype, kwargs.get("_reuse"))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every subclass is registered for ``.keras`` loading, under its module (a redefinition replaces it)."""
        super().__init_subclass__(**kwargs)
        registered = f"{cls.__module__}>{cls.__qualname__}"
        keras.saving.get_custom_objects().pop(registered, None)
        keras.saving.register_keras_serializable(package=cls.__module__, name=cls.__qualname__)(cls)

    def get_config(self) -> dict:
        """Keras's config from the constructor's arguments (plain values only), and the TF1 names to rebuild."""
        auto = getattr(self, "_auto_config", None)  # what Keras read off the constructor call
        if auto is None:
            raise NotImplementedError(
                f"{type(self).__name__} was built with constructor arguments a .keras config cannot hold "
                "(only str, int, float, bool, None); give the class a get_config(), or save with tf.train.Checkpoint"
            )
        config = {**keras.layers.Layer.get_config(self), **auto.config}
        caller = None if self._caller_scope is None else self._caller_scope.name
        config[_TF1_KEY] = {"base_name": self.tf1_base_name, "scope": self.tf1_scope, "caller": caller}
        return config

    @classmethod
    def from_config(cls, config: dict) -> "RNNCell":
        """The subclass's constructor gets only the arguments it takes; the TF1 names come back as saved."""
        config = dict(config)
        tf1 = config.pop(_TF1_KEY, {})
        parameters = inspect.signature(cls.__init__).parameters
        takes_any = any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values())
        config.pop("name", None)  # Keras's unique name; the TF1 name is restored below
        for key in ("trainable", "dtype"):
            if not (takes_any or key in parameters):
                config.pop(key, None)
        cell = cls(**config)
        object.__setattr__(cell, "tf1_base_name", tf1.get("base_name", cell.tf1_base_name))
        object.__setattr__(cell, "_saved_scopes", (tf1.get("caller"), tf1.get("scope")))
        return cell

    def _init_tf1_cell(self, trainable: bool = True, name: Any = None, dtype: Any = None, reuse: Any = None) -> None:
        name = getattr(name, "name", name)  # TF1 accepted a VariableScope as the name
        keras.layers.Layer.__init__(
            self, trainable=trainable, name=None if name is None else name.replace("/", "_"), dtype=keras_dtype(dtype)
        )
        self._convert_input_args = False
        for attribute, value in (
            ("tf1_base_name", name or to_snake_case(type(self).__name__)),
            ("explicit_dtype", dtype is not None),
            ("_reuse", reuse),
            ("_recorded_variables", {}),
        ):
            object.__setattr__(self, attribute, value)
        if "_cell_store" not in self.__dict__:
            object.__setattr__(self, "tf1_scope", None)
            object.__setattr__(self, "_scope_object", None)
            object.__setattr__(self, "_caller_scope", None)
            object.__setattr__(self, "_state_structure", None)
            self._cell_store = _CellStore(self)

    # -- TF1's protocol -------------------------------------------------------------
    @property
    def state_size(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define state_size")

    @property
    def output_size(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define output_size")

    def call(self, inputs: Any, state: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs, state) or __call__")

    def __call__(self, inputs: Any, state: Any, scope: Any = None, *args: Any, **kwargs: Any) -> Any:
        """TF1's ``cell(inputs, state)``: ``build`` then ``call`` in the cell's own scope."""
        kwargs.pop("training", None)
        with self._own_scope(scope), self.variables_by_tf1_name():
            if not self.built:
                self._take_inputs_dtype(inputs)
                self.build(tf.TensorShape(tf.nest.flatten(inputs)[0].shape))
                self.built = True
            return self.call(inputs, state, *args, **kwargs)

    def build(self, inputs_shape: Any) -> None:
        self.built = True

    def _take_inputs_dtype(self, inputs: Any) -> None:
        """TF1's layers took their dtype from their first inputs (float64 inputs, float64 variables)."""
        dtype = tf.nest.flatten(inputs)[0].dtype
        if not self.explicit_dtype and dtype.is_floating:
            self.dtype_policy = dtype.name

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zeros in the structure of ``state_size`` (TF1's ``_zero_state_tensors``)."""
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return tf.nest.map_structure(lambda size: _zeros(batch_size, size, dtype), self.state_size)

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None, dtype: Any = None) -> Any:
        if inputs is not None:
            batch_size = tf.shape(inputs)[0]
            dtype = dtype or inputs.dtype
        return self.zero_state(batch_size, dtype or "float32")

    def add_weight(self, name: str | None = None, shape: Any = None, dtype: Any = None, initializer: Any = None,
                   regularizer: Any = None, trainable: bool = True, constraint: Any = None, **kwargs: Any) -> Any:
        """TF1's ``add_variable``/``add_weight`` (name first): ``get_variable`` in the cell's scope."""
        if isinstance(initializer, (str, dict)):
            initializer = keras.initializers.get(initializer)
        return tf.compat.v1.get_variable(
            name, shape=shape, dtype=dtype or self.dtype, initializer=initializer, trainable=trainable
        )

    add_variable = add_weight

    # -- scopes and variables ---------------------------------------------------------
    @contextlib.contextmanager
    def _own_scope(self, scope: Any) -> Iterator[None]:
        """``<caller scope>/<name>`` fixed at the first call, reused afterwards (TF1's Layer scope)."""
        v1 = tf.compat.v1
        if self._scope_object is not None:
            with v1.variable_scope(self._scope_object, reuse=True if _tf1_graph_mode() else v1.AUTO_REUSE,
                                   auxiliary_name_scope=False):
                yield
            return
        if _tf1_graph_mode():
            with v1.variable_scope(scope, default_name=None if scope is not None else self.tf1_base_name) as opened:
                self._remember_scope(opened)
                yield
            return
        name = join(v1.get_variable_scope().name, getattr(scope, "name", scope) or self.tf1_base_name)
        opened = v1.VariableScope(reuse=v1.AUTO_REUSE, name=name)
        self._remember_scope(opened)
        with v1.variable_scope(opened, auxiliary_name_scope=False):
            yield

    def _remember_scope(self, scope: Any) -> None:
        object.__setattr__(self, "_scope_object", scope)
        object.__setattr__(self, "tf1_scope", scope.name)

    @contextlib.contextmanager
    def variables_by_tf1_name(self) -> Iterator[None]:
        """While the cell's code runs: every ``get_variable`` kept by its TF1 name.

        In a TF1 graph the graph is the store and the creator only records; elsewhere
        it hands the variable to ``create_variable`` (a container's store, else this cell's).
        """
        # Outside a TF1 graph, a fresh store per run: get_variable then asks the creator for every name.
        store = contextlib.nullcontext() if _tf1_graph_mode() else _tf_variable_scope.EagerVariableStore().as_default()
        with tf.variable_creator_scope(self._create_or_record), self._cell_store, store:
            yield

    def _create_or_record(self, next_creator: Any, **kwargs: Any) -> Any:
        if "collections" not in kwargs:  # a Keras or tf.Variable (v2) variable: not get_variable's
            return next_creator(**kwargs)
        full_name = kwargs["name"]
        if _tf1_graph_mode():
            variable = next_creator(**kwargs)
        else:
            shape = kwargs.get("shape")
            initial = kwargs["initial_value"]
            if shape is None or not tf.TensorShape(shape).is_fully_defined():
                initial = tf.convert_to_tensor(initial() if callable(initial) else initial)
                shape = initial.shape
            dtype = tf.as_dtype(kwargs.get("dtype") or "float32").base_dtype
            scope, _, leaf = full_name.rpartition("/")
            variable = create_variable(self, leaf, tuple(shape), dtype.name, _InitialValue(initial), scope)
            variable = getattr(variable, "value", variable)
        self._recorded_variables.setdefault(full_name, variable)
        return variable

    def track_own_variable(self, full_name: str, variable: Any) -> None:
        self._cell_store.add(full_name, variable)

    def tf1_variables(self) -> dict[str, Any]:
        """The variables this cell's code created, by full TF1 name (its runtime sub-cells' too)."""
        found = dict(self._cell_store.by_name)
        found.update(self._recorded_variables)
        for layer in self._layers:
            if hasattr(layer, "tf1_variables"):
                found.update(layer.tf1_variables())
        return found

    # -- what the runtime layers use ----------------------------------------------------
    def build_in_rnn(self, input_depth: int, dtype: Any) -> None:
        """Build in the caller's current scope by one step on zeros (once per cell)."""
        if self._caller_scope is not None:
            return
        require_held_cells(self)
        v1 = tf.compat.v1
        current = v1.get_variable_scope()
        saved_caller, saved_scope = self.__dict__.get("_saved_scopes", (None, None))
        if _tf1_graph_mode():
            caller = current
        else:
            caller = v1.VariableScope(reuse=v1.AUTO_REUSE, name=saved_caller if saved_caller is not None else current.name)
            if saved_scope is not None:
                self._remember_scope(v1.VariableScope(reuse=v1.AUTO_REUSE, name=saved_scope))
        object.__setattr__(self, "_caller_scope", caller)
        with self._in_caller_scope(reuse=False):
            state = self.zero_state(1, dtype)
            object.__setattr__(self, "_state_structure", tf.nest.map_structure(lambda _: 0, state))
            self(tf.zeros([1, int(input_depth)], dtype), state)

    @contextlib.contextmanager
    def _in_caller_scope(self, reuse: bool) -> Iterator[None]:
        reuse_flag = True if reuse and _tf1_graph_mode() else None
        with tf.compat.v1.variable_scope(self._caller_scope, reuse=reuse_flag, auxiliary_name_scope=False):
            with self.variables_by_tf1_name():
                yield

    def tf1_step(self, inputs: tf.Tensor, flat_state: list) -> tuple[tf.Tensor, list]:
        """One step on the state's tensors flattened (what the runtime's loop carries)."""
        with self._in_caller_scope(reuse=True):
            output, new_state = self(inputs, self.pack_state(flat_state))
        return output, tf.nest.flatten(new_state)

    def pack_state(self, flat_state: list) -> Any:
        return tf.nest.pack_sequence_as(self._state_structure, list(flat_state))

    def flat_zero_state(self, batch_size: Any, dtype: Any) -> list:
        """``zero_state`` in the caller's scope (a learned initial state gets its TF1 name there)."""
        with self._in_caller_scope(reuse=True):
            return tf.nest.flatten(self.zero_state(batch_size, dtype))


class LayerRNNCell(RNNCell):
    """``rnn_cell_impl.LayerRNNCell``: the same protocol; its variables are created in ``build``."""


__all__ = ["LayerRNNCell", "RNNCell", "to_snake_case"]

"""Where a runtime cell's variables live, and the TF1 names they carry.

Every variable keeps TF1's name, shape and layout: the enclosing
``tf.compat.v1.variable_scope`` stack, the RNN's scope and the cell's
(``encoder/rnn/lstm_cell/kernel``).  So a TF1 checkpoint restores with the
program's own ``Saver`` and a checkpoint written after the migration loads in
TF1 again.  Who keeps the variables depends on where the code runs:

* a TF1 graph (graph mode outside a ``tf.function``): ``tf.compat.v1.get_variable``.
  The graph is the variable store, exactly as in TF1: ``reuse=True`` and
  ``tf.AUTO_REUSE`` share, a second creation without reuse raises
  "Variable ... already exists", ``variable_scope(initializer=...)`` applies.
* inside the ``call()`` of a user's Keras ``Layer`` or ``Model`` (any depth):
  the outermost such layer, the *container*, keeps them by TF1 name and tracks
  them, so layers that rewritten code builds inline on every call are built on
  the first call and reuse its variables afterwards (``weights``, ``fit``,
  ``save``, ``tf.train.Checkpoint``).  Eagerly TF1's reuse flags cannot be read
  (eager scopes always say AUTO_REUSE), so a name met again in the container
  means the same variable; TF1 code that ran made every such name a reuse.
* a ``VariableStore`` the user enters (``with store:``): the same, for eager
  code outside any model.
* otherwise the cell owns its variables like any Keras layer, and one cell
  object means one set of weights.

Inside ``tf1_weights(source)`` a new variable starts from the source's value of
its name (in a graph, as its initializer, so it survives
``global_variables_initializer()``).
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from typing import Any, Callable, Iterator

import keras
import tensorflow as tf

_CALL_FRAMES = ("call", "tf__call")
_KERAS_MODULE_PREFIXES = ("keras.", "tf_keras.")


def in_tf1_graph() -> bool:
    """Graph mode as TF1 programs run it: a graph, but not one a ``tf.function`` is tracing."""
    return not tf.executing_eagerly() and not tf.inside_function()


def current_scope_name() -> str:
    return tf.compat.v1.get_variable_scope().name


def join(scope: str, name: str) -> str:
    return f"{scope}/{name}" if scope else name


class VariableStore(tf.__internal__.tracking.AutoTrackable):
    """TF1 variables by full name: what a container (or ``with store:``) keeps."""

    def __init__(self) -> None:
        self.by_name: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        return self.by_name.get(name)

    def add(self, name: str, variable: Any) -> None:
        self.by_name[name] = variable

    def __enter__(self) -> "VariableStore":
        _entered_stores.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _entered_stores.remove(self)


_entered_stores: list[VariableStore] = []
_STORE_ATTRIBUTE = "_rnnmigrate_tf1_variables"


def is_runtime_object(obj: Any) -> bool:
    return getattr(type(obj), "is_rnnmigrate_runtime", False)


def _is_user_layer(obj: Any) -> bool:
    """A Layer/Model subclass the user wrote (Keras's own Functional/Sequential build their graphs elsewhere)."""
    if not isinstance(obj, keras.layers.Layer) or is_runtime_object(obj):
        return False
    return not type(obj).__module__.startswith(_KERAS_MODULE_PREFIXES)


def running_user_layers() -> list:
    """The user Layers/Models whose ``call()`` is running, outermost first.

    Read from the Python stack, so it also holds when Keras traces ``call``
    directly (``build_from_config`` on load, ``compute_output_spec``) without
    entering a call context.
    """
    frame, layers = sys._getframe(1), []
    while frame is not None:
        if frame.f_code.co_name in _CALL_FRAMES:
            owner = frame.f_locals.get("self")
            if _is_user_layer(owner) and not any(owner is seen for seen in layers):
                layers.append(owner)
        frame = frame.f_back
    return layers[::-1]


def container_store(layers: list) -> tuple[VariableStore, Any]:
    """The store of the outermost running user layer, and the layer that tracks its variables.

    Every layer in the chain is linked to that store, so a layer later called
    on its own (``model.encoder(x)``) finds the variables it was built with.
    """
    link = layers[0].__dict__.get(_LINK_ATTRIBUTE)
    owner = link() if link is not None else None
    if owner is None:
        owner = layers[0]
    store = owner.__dict__.get(_STORE_ATTRIBUTE)
    if store is None:
        store = VariableStore()
        # A tracked attribute, so tf.train.Checkpoint finds the variables.
        setattr(owner, _STORE_ATTRIBUTE, store)
    for layer in layers:
        # A weak reference: Keras's saving walks attributes, and a parent there would loop.
        object.__setattr__(layer, _LINK_ATTRIBUTE, weakref.ref(owner))
    return store, owner


_LINK_ATTRIBUTE = "_rnnmigrate_store_link"


def _track_in(container: Any, variable: Any) -> None:
    """Add ``variable`` to a built container's weights (Keras locks built layers)."""
    tracker = container._tracker
    was_locked = tracker.locked
    tracker.unlock()
    try:
        container._track_variable(variable)
    finally:
        if was_locked:
            tracker.lock()


# Initial values by TF1 name; set by ``tf1_weights``.
InitialValues = Callable[[str, tuple, Any], Any]
_initial_value_sources: list[InitialValues] = []


@contextlib.contextmanager
def initial_values_from(lookup: InitialValues) -> Iterator[None]:
    _initial_value_sources.append(lookup)
    try:
        yield
    finally:
        _initial_value_sources.remove(lookup)


def _initial_value(name: str, shape: tuple, dtype: Any) -> Any:
    return _initial_value_sources[-1](name, shape, dtype) if _initial_value_sources else None


class _Constant(keras.initializers.Initializer):
    def __init__(self, value: Any):
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        return tf.cast(tf.reshape(self.value, shape), dtype or "float32")


def create_variable(
    owner: Any,
    name: str,
    shape: tuple,
    dtype: Any,
    initializer: Any,
    scope: str,
) -> Any:
    """The variable ``scope/name`` for ``owner`` (a runtime cell), from the store in force.

    ``initializer`` is TF1's for this variable (None: the enclosing scope's,
    else Glorot uniform, as ``get_variable`` did).
    """
    full_name = join(scope, name)
    shape = tuple(int(dim) for dim in shape)
    if in_tf1_graph():
        if _initial_value_sources:
            # Read only if get_variable creates the variable (not when it reuses one).
            lookup = _initial_value_sources[-1]
            initializer = lambda shape, dtype=dtype, partition_info=None: tf.constant(  # noqa: E731
                lookup(full_name, tuple(shape), dtype), dtype=dtype
            )
        return tf.compat.v1.get_variable(name, shape=shape, dtype=dtype, initializer=initializer)
    layers = running_user_layers()
    container = None
    if layers:
        store, container = container_store(layers)
    else:
        store = _entered_stores[-1] if _entered_stores else None
    if store is not None:
        existing = store.get(full_name)
        if existing is not None:
            _check_reused(full_name, existing, shape)
            return existing
    initial = _initial_value(full_name, shape, dtype)
    if initial is not None:
        initializer = _Constant(initial)
    elif initializer is None:
        initializer = tf.compat.v1.get_variable_scope().initializer or keras.initializers.GlorotUniform()
    variable = keras.Variable(initializer, shape=shape, dtype=dtype, name=name.rsplit("/", 1)[-1])
    variable._path = full_name
    if store is None:
        owner.track_own_variable(full_name, variable)
    else:
        store.add(full_name, variable)
        if container is not None:
            _track_in(container, variable)
    return variable


def _check_reused(name: str, variable: Any, shape: tuple) -> None:
    if tuple(variable.shape) != shape:
        raise ValueError(
            f"Trying to share variable {name}, but specified shape {list(shape)} "
            f"and found shape {list(variable.shape)}."
        )


def variable_name(variable: Any) -> str:
    """A variable's TF1 name without ``:0``."""
    path = getattr(variable, "path", None)
    if path is None or isinstance(variable, tf.Variable):
        path = variable.name
    return path[:-2] if path.endswith(":0") else path

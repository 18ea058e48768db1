"""Context (b): the rewritten code in Keras 3, inside a `keras.Model` subclass's `call()`.

Three runs, each its own process:

* `keras`: the model called twice, eagerly;
* `keras_function`: the same two calls through one `tf.function` (issue 8: layers created on
  every call fail there with "tf.function only supports singleton tf.Variables");
* `keras_only`: `keras`, in a process without `TF_USE_LEGACY_KERAS` (the orchestrator
  drops it), as a user who installed only Keras 3 runs it. Whatever else in the file still
  needs tf-keras (`tf.layers.dense`) fails here, and the line says so.

All inside `rnnmigrate.layers.tf1_weights(checkpoint)`; each RNN call gets the inputs and initial states
TF1 saw at that call (see taps.py), and its outputs and final states are compared with TF1's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from real_code import compare, shim, taps
from real_code.context import SiteContext
from real_code.phases import tap_fetches
from real_code.sites import Site


def _model(site: Site, context: SiteContext) -> Any:
    import keras

    class SiteModel(keras.Model):
        """The natural home of migrated class-based code in Keras 3: a Model's call()."""

        def call(self, x: Any) -> Any:
            site.build(context)
            return x

    return SiteModel()


def phase_keras(site: Site, sitedir: Path, tf1: dict, compiled: bool = False) -> dict:
    import tensorflow as tf

    from rnnmigrate.layers import tf1_weights

    taps.tap_runtime()
    model = _model(site, SiteContext(sitedir / "rewritten", sitedir / "scratch", site.missing_modules,
                                     site.extra_sys_path))

    def use_case(case: int) -> None:
        """Placeholders become this case's feeds; each RNN call gets the inputs TF1 saw."""
        shim.set_feeds(tf1["feeds"][case], eager=True)
        taps.LOG.injections = tf1["inputs"][case]

    def call_once() -> dict:
        taps.LOG.taps = []
        model(tf.zeros([1]))
        return {name: value for _, _, named, _, _ in tap_fetches() for name, value in named}

    # eagerly, call 1 gets input case 0 and call 2 case 1; one tf.function is traced once, so
    # both of its calls run case 0 (its constants are captured at trace time)
    cases = (0, 0) if compiled else (0, 1)
    step = tf.function(call_once) if compiled else call_once
    per_call, loaded, tracked = [], [], []
    with tf1_weights(tf1["checkpoint"]) as loading:
        for case in cases:
            use_case(case)
            per_call.append({name: np.asarray(value) for name, value in step().items()})
            loaded.append(len(loading.loaded_variables))
            tracked.append(len(model.weights))
    diffs = {}
    for index, (case, values) in enumerate(zip(cases, per_call)):
        diffs.update({f"model_call{index}.case{case}.{name}": value
                      for name, value in compare.max_diffs(tf1["taps"][case], values).items()})
    result = {**compare.verdict(diffs), "diffs": diffs, "tracked_weights": tracked,
              "loaded_variables_after_each_call": loaded}
    if "TF_USE_LEGACY_KERAS" not in os.environ and "tf_keras" in sys.modules:
        result = {"status": "ERROR", "reason": "the Keras-3-only run imported tf_keras"}
    return result

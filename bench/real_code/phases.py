"""The three runs of one site, each in its own process (`real_code.py --child PHASE SITE DIR`).

* `tf1`: the original code in a TF1 graph, random values in every variable, a TF1
  checkpoint, the outputs and final state of every RNN call (taps) and of the program.
* `graph` (context a): the rewritten code in a TF1 graph + session, restored by a plain
  `tf.compat.v1.train.Saver().restore` from that checkpoint, as the program itself would.
* `graph_tf1_weights` (diagnostic a'): the same graph, weights from `tf1_weights(checkpoint)`
  instead of the Saver (issue 8: in graph mode those values may never reach the session).
* `keras`, `keras_function`, `keras_only` (context b): see keras_phase.py.

A fresh process per run keeps Keras's global layer-name counters and TF's graph state from
one run out of the next (they would change variable names, i.e. the result).
"""

from __future__ import annotations

import pickle
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from real_code import compare, shim, taps
from real_code.context import SiteContext
from real_code.sites import Site

SEED = 0


def _randomize(session: Any, variables: list, rng: np.random.Generator) -> list[str]:
    """Give every float variable (biases too) a random value: initializers are not the test.

    Matrices get uniform(+-1/sqrt(rows)), vectors uniform(+-0.5), batch-norm variances
    uniform(0.5, 1.5). Why the 1/sqrt(fan-in) scale: with +-0.5 on a 250 x 300 GRU kernel the
    recurrence is chaotic, and a float32 rounding difference (one matmul over [x, h] versus two)
    grows ~1.5x per step until it saturates after ~50 steps; that measures the weights, not the
    migration. At this scale the recurrent part contracts and rounding stays at ~1e-7.
    """
    names = []
    for variable in variables:
        dtype = variable.dtype.base_dtype
        if not dtype.is_floating:
            continue
        shape = variable.shape.as_list()
        if "variance" in variable.op.name:
            value = rng.uniform(0.5, 1.5, size=shape)
        else:
            bound = 1.0 / np.sqrt(shape[0]) if len(shape) >= 2 else 0.5
            value = rng.uniform(-bound, bound, size=shape)
        variable.load(value.astype(dtype.as_numpy_dtype), session)
        names.append(variable.op.name)
    return names


def tap_fetches() -> list[tuple[str, int, list[tuple[str, Any]], Any, Any]]:
    return [(tap.api, tap.line, compare.flatten(tap.result, f"call{index}"), tap.inputs, tap.sequence_length)
            for index, tap in enumerate(taps.LOG.taps)]


def _initial_state_fetches() -> dict[str, dict[str, list[Any]]]:
    """Per call, each initial-state argument flattened (no TF1 state classes reach the pickle)."""
    import tensorflow as tf

    return {f"states{index}": {name: tf.nest.flatten(state) for name, state in tap.initial_states.items()}
            for index, tap in enumerate(taps.LOG.taps) if tap.initial_states}


def input_cases(site: Site) -> list[dict]:
    """Two batches: lengths with full, 1 and 0; then lengths all below the padded time (which
    breaks ports that build a mask without `maxlen`). `sites.lengths` reads `sites.CASE`."""
    from real_code import sites

    cases = []
    for case in (0, 1):
        sites.CASE = case
        cases.append(site.feeds(np.random.default_rng(SEED + case)))
    sites.CASE = 0
    return cases


def _run_graph(site: Site, root: Path, scratch: Path, cases: list[dict], checkpoint: str | None,
               loader: str = "saver") -> dict:
    """Build `site` from `root` in a fresh graph; restore (or randomize and save); fetch
    everything for each input case (one session run per case).

    `loader="tf1_weights"` (diagnostic context a'): build inside `rnnmigrate.layers.tf1_weights`,
    initialise, and restore with the Saver only the variables the checkpoint has by name (the
    non-RNN ones, in today's runtime), so whatever tf1_weights put in the RNN layers is what runs.
    """
    import tensorflow as tf

    v1 = tf.compat.v1
    shim.set_feeds(cases[0], eager=False)
    shim.PLACEHOLDERS.clear()
    taps.LOG.taps = []
    graph = tf.Graph()
    with graph.as_default():
        context = SiteContext(root, scratch, site.missing_modules, site.extra_sys_path)
        if loader == "tf1_weights":
            from rnnmigrate.layers import tf1_weights

            with tf1_weights(checkpoint):
                outputs = site.build(context)
        else:
            outputs = site.build(context)
        fetches = tap_fetches()
        state_fetches = _initial_state_fetches()
        if loader == "tf1_weights":
            stored = set(tf.train.load_checkpoint(checkpoint).get_variable_to_shape_map())
            saver = v1.train.Saver(var_list=[v for v in v1.global_variables() if v.op.name in stored])
        else:
            saver = v1.train.Saver()
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            if checkpoint is None:
                randomized = _randomize(session, v1.global_variables(), np.random.default_rng(SEED))
                checkpoint = saver.save(session, str(scratch / "tf1" / "model.ckpt"))
            elif loader == "tf1_weights":
                randomized = []
                saver.restore(session, checkpoint)
            else:
                randomized = []
                _restore(saver, session, checkpoint, v1.global_variables())
            tensors = {name: tensor for _, _, named, _, _ in fetches for name, tensor in named}
            call_inputs = {f"{kind}{index}": tensor for index, (_, _, _, inputs, lengths) in enumerate(fetches)
                           for kind, tensor in (("inputs", inputs), ("lengths", lengths)) if tensor is not None}
            runs = [session.run({"taps": tensors, "outputs": outputs, "inputs": call_inputs,
                                 "states": state_fetches},
                                {shim.PLACEHOLDERS[k]: v for k, v in feeds.items() if k in shim.PLACEHOLDERS})
                    for feeds in cases]
    return {"checkpoint": checkpoint, "randomized": randomized, "feeds": cases,
            "calls": [(api, line) for api, line, _, _, _ in fetches],
            "taps": [run["taps"] for run in runs], "outputs": [run["outputs"] for run in runs],
            "inputs": [[taps.Injection(run["inputs"].get(f"inputs{index}"), run["inputs"].get(f"lengths{index}"),
                                       run["states"].get(f"states{index}", {}))
                        for index in range(len(fetches))] for run in runs],
            "stubs": list(shim.STUBS_USED)}


def _restore(saver: Any, session: Any, checkpoint: str, variables: list) -> None:
    """The program's own `Saver.restore`; on failure say which graph names the checkpoint lacks."""
    import tensorflow as tf

    try:
        saver.restore(session, checkpoint)
    except tf.errors.NotFoundError:
        stored = set(tf.train.load_checkpoint(checkpoint).get_variable_to_shape_map())
        missing = sorted((v.op.name for v in variables if v.op.name not in stored),
                         key=lambda name: "seed_generator" in name)  # RNN weights first
        unused = sorted(stored - {v.op.name for v in variables})
        raise RuntimeError(f"Saver.restore: {len(missing)} graph variables not in the TF1 checkpoint "
                           f"(e.g. {missing[0] if missing else '-'}), {len(unused)} checkpoint variables not in "
                           f"the graph (e.g. {unused[0] if unused else '-'})") from None


def phase_tf1(site: Site, sitedir: Path) -> dict:
    (sitedir / "scratch" / "tf1").mkdir(parents=True, exist_ok=True)
    result = _run_graph(site, sitedir / "original", sitedir / "scratch", input_cases(site), None)
    if not result["calls"]:
        raise RuntimeError("the driver made no RNN call")
    if site.line not in [line for _, line in result["calls"]]:
        raise RuntimeError(f"the driver never reached {site.path}:{site.line} (RNN calls at {result['calls']})")
    return {"status": "OK", **result}


def phase_graph(site: Site, sitedir: Path, tf1: dict, loader: str = "saver") -> dict:
    taps.tap_runtime()
    result = _run_graph(site, sitedir / "rewritten", sitedir / "scratch", tf1["feeds"], tf1["checkpoint"], loader)
    diffs = {}
    for case, (want_taps, got_taps, want_out, got_out) in enumerate(
            zip(tf1["taps"], result["taps"], tf1["outputs"], result["outputs"])):
        diffs.update(_prefixed(compare.max_diffs(want_taps, got_taps), f"case{case}."))
        diffs.update(_prefixed(compare.max_diffs(_prefixed(want_out, "program."), _prefixed(got_out, "program.")),
                               f"case{case}."))
    return {**compare.verdict(diffs), "calls": result["calls"], "diffs": diffs}


def _prefixed(values: dict, prefix: str) -> dict:
    return {f"{prefix}{name}": value for name, value in values.items()}


def child_main(phase: str, site_id: str, sitedir: Path) -> None:
    """Run one phase and pickle its result (or its error) to `sitedir/<phase>.pkl`."""
    from real_code.sites import site_by_id

    site = site_by_id(site_id)
    try:
        if site.v1_tensorshape:
            import tensorflow as tf

            tf.compat.v1.disable_v2_tensorshape()
        if phase == "tf1":
            result = phase_tf1(site, sitedir)
        else:
            tf1 = pickle.loads((sitedir / "tf1.pkl").read_bytes())
            if phase == "graph":
                result = phase_graph(site, sitedir, tf1)
            elif phase == "graph_tf1_weights":
                result = phase_graph(site, sitedir, tf1, loader="tf1_weights")
            else:
                from real_code.keras_phase import phase_keras

                result = phase_keras(site, sitedir, tf1, compiled=phase == "keras_function")  # keras, keras_only too
    except Exception as error:  # a measurement: every failure becomes a reported line
        result = {"status": "ERROR", "reason": one_line(error, sitedir), "traceback": traceback.format_exc()}
    import rnnmigrate

    result["runtime"] = str(Path(rnnmigrate.__file__).resolve().parent.parent)  # which checkout really ran
    (sitedir / f"{phase}.pkl").write_bytes(pickle.dumps(result))


def one_line(error: BaseException, sitedir: Path | None = None) -> str:
    """`Type: message at where`, at most 300 characters.

    Keras wraps errors ("Exception encountered when calling ...", tf.function's "in user
    code:"); the message that matters is the bold one inside. `where` is the innermost frame
    in the site's copy or in rnnmigrate, so a line says whose code failed: the project's
    (`rewritten/model.py:53`) or the runtime's (`rnnmigrate/layers/rnn.py:120`).
    """
    import re
    import traceback as tb

    text = str(error)
    bold = re.findall(r"\x1b\[1m(.*?)\x1b\[0m", text, flags=re.S)
    lines = [line.strip() for line in (bold[-1] if bold else text).strip().splitlines() if line.strip()]
    message = lines[0][:160] if lines else ""
    where = ""
    for frame in reversed(tb.extract_tb(error.__traceback__)):
        name = frame.filename
        if sitedir is not None and name.startswith(str(sitedir)):
            where = f" at {Path(name).relative_to(sitedir)}:{frame.lineno}"
            break
        if "/rnnmigrate/" in name:
            where = f" at rnnmigrate/{name.split('/rnnmigrate/', 1)[1]}:{frame.lineno}"
            break
    return f"{type(error).__name__}: {message}{where}"[:400]

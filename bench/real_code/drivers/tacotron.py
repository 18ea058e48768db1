"""keithito/tacotron: the encoder CBHG's bidirectional GRU (`models/modules.py`, `cbhg`).

The driver does what `Tacotron.initialize` does for the encoder (prenet, then
`encoder_cbhg`) on float inputs standing for the embedded characters, in
`variable_scope('inference')`, inference mode (`is_training=False`). The decoder after it is
`tf.contrib.seq2seq` (a manual site, RNN008), so `initialize` itself is not called.
"""

from __future__ import annotations

import numpy as np

from real_code.sites import Site, lengths

EMBEDDING, PRENET, DEPTH, BATCH, TIME = 8, (16, 8), 16, 3, 7


def build(context) -> dict:
    modules = context.import_file("models/modules.py", "tacotron_modules")
    tf = context.tf
    embedded = tf.placeholder(tf.float32, [None, None, EMBEDDING], name="embedded_inputs")
    input_lengths = tf.placeholder(tf.int32, [None], name="input_lengths")
    with tf.variable_scope("inference"):
        prenet_outputs = modules.prenet(embedded, False, list(PRENET))
        encoder_outputs = modules.encoder_cbhg(prenet_outputs, input_lengths, False, DEPTH)
    return {"encoder_outputs": encoder_outputs}


def feeds(rng: np.random.Generator) -> dict:
    return {"embedded_inputs": rng.normal(size=(BATCH, TIME, EMBEDDING)).astype(np.float32),
            "input_lengths": lengths(BATCH, TIME)}


SITES = [
    Site(id="tacotron-cbhg", project="tacotron", mirror="keithito+tacotron", path="models/modules.py", line=74,
         api="tf.nn.bidirectional_dynamic_rnn", build=build, feeds=feeds,
         stubs=("models/modules.py imported on its own: models/__init__.py imports the seq2seq decoder "
                "and the text front end, which the encoder does not use",)),
]

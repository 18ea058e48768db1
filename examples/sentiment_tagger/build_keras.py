"""Build the migrated model in Keras 3, load the TF1 checkpoint into it, save it.

The RNN encoders are called unchanged from migrated/model.py, the output of
`rnnmigrate rewrite --apply` on tf1/model.py; they load their TF1 weights by
scope inside `tf1_weights(checkpoint)`. The glue the rewrite does not touch
(embedding lookup, dense layers, softmax) is ported by hand here, with its
weights copied from the same checkpoint.

Writes, under --artifacts:
  keras/model.keras     the Keras 3 model (inputs tokens, lengths; outputs class_probs, tag_logits)
  keras/saved_model/    the same model exported with `model.export` for serving

and checks the model against the TF1 outputs saved in tf1/eval_batch.npz.
Run without TF_USE_LEGACY_KERAS: this side is Keras 3 only.
"""

import argparse
import importlib.util
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from rnnmigrate.layers import tf1_weights

HERE = Path(__file__).resolve().parent


def load_module(path):
    """Import migrated/model.py by path (it is not part of an installed package)."""
    spec = importlib.util.spec_from_file_location("migrated_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_model(model_code, checkpoint):
    """The Keras 3 twin of tf1/model.py's build_model, with the TF1 weights loaded."""
    reader = tf.train.load_checkpoint(checkpoint)
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    lengths = keras.Input(shape=(), dtype="int32", name="lengths")

    # Hand-ported glue: tf.get_variable + tf.nn.embedding_lookup -> Embedding.
    embedding = keras.layers.Embedding(model_code.VOCAB_SIZE, model_code.EMBEDDING_SIZE, name="embedding")
    embedded = embedding(tokens)

    # The migrated RNN encoders, called as they are; each loads its scope's weights.
    with tf1_weights(checkpoint) as loaded:
        sentence_vector = model_code.encode_sentence(embedded, lengths)
        outputs_fw, outputs_bw = model_code.tag_tokens(embedded, lengths)

    # Hand-ported glue: tf.layers.dense -> Dense, tf.concat -> Concatenate.
    classifier = keras.layers.Dense(model_code.NUM_CLASSES, name="classifier")
    class_probs = keras.layers.Softmax(name="class_probs")(classifier(sentence_vector))
    token_features = keras.layers.Concatenate(axis=-1)([outputs_fw, outputs_bw])
    tag_projection = keras.layers.Dense(model_code.NUM_TAGS, name="tag_projection")
    tag_logits = tag_projection(token_features)

    embedding.set_weights([reader.get_tensor("embedding/embeddings")])
    for dense in (classifier, tag_projection):
        dense.set_weights([reader.get_tensor(f"{dense.name}/kernel"), reader.get_tensor(f"{dense.name}/bias")])

    model = keras.Model(
        inputs={"tokens": tokens, "lengths": lengths},
        outputs={"class_probs": class_probs, "tag_logits": tag_logits},
        name="sentiment_tagger",
    )
    return model, loaded.loaded_variables


def max_abs_diff_against_tf1(model, eval_batch):
    """Largest difference between this model and the TF1 outputs stored by train_export.py."""
    outputs = model({"tokens": eval_batch["tokens"], "lengths": eval_batch["lengths"]})
    return {name: float(np.max(np.abs(np.asarray(outputs[name]) - eval_batch[name])))
            for name in ("class_probs", "tag_logits")}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default=str(HERE / "artifacts"))
    parser.add_argument("--migrated", default=str(HERE / "migrated" / "model.py"),
                        help="the rewritten model module to import")
    return parser.parse_args()


def main():
    args = parse_args()
    artifacts = Path(args.artifacts)
    checkpoint = str(artifacts / "tf1" / "checkpoint" / "model.ckpt")
    out_dir = artifacts / "keras"
    out_dir.mkdir(parents=True, exist_ok=True)

    model, loaded_variables = build_model(load_module(args.migrated), checkpoint)
    print("loaded %d TF1 RNN variables by scope, e.g. %s" % (len(loaded_variables), loaded_variables[0]))

    eval_batch = dict(np.load(artifacts / "tf1" / "eval_batch.npz"))
    diffs = max_abs_diff_against_tf1(model, eval_batch)
    print("max abs diff vs TF1 on the held-out batch: %s" % ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))

    keras_path = out_dir / "model.keras"
    model.save(keras_path)
    reloaded = keras.saving.load_model(keras_path)
    reloaded_diffs = max_abs_diff_against_tf1(reloaded, eval_batch)
    print("saved %s (reloaded: %s)" % (keras_path, ", ".join(f"{k} {v:.2e}" for k, v in reloaded_diffs.items())))

    model.export(str(out_dir / "saved_model"), verbose=False)
    print("exported %s" % (out_dir / "saved_model"))

    worst = max(list(diffs.values()) + list(reloaded_diffs.values()))
    if worst > 1e-5:
        raise SystemExit(f"the Keras model differs from TF1 by {worst:.3g}")


if __name__ == "__main__":
    main()

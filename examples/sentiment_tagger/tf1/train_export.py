"""Train the TF1 model for a few Adam steps on generated data, then export it.

Writes, under --artifacts:
  tf1/checkpoint/model.ckpt.*   the tf.train.Saver checkpoint
  tf1/saved_model/              a TF1 SavedModel, signature `serving_default`:
                                  inputs  tokens [None, None] int32, lengths [None] int32
                                  outputs class_probs [None, 2], tag_logits [None, None, 3]
  tf1/eval_batch.npz            one held-out batch and the TF1 model's outputs on it

Run with TF_USE_LEGACY_KERAS=1 (and tf-keras installed): the TF1 cells need it on TF 2.16+.
"""
import argparse
import os
import shutil

import numpy as np
import tensorflow.compat.v1 as tf

import model
import toy_data

MAX_LEN = 12
BATCH_SIZE = 32


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "artifacts")))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main():
    tf.logging.set_verbosity(tf.logging.ERROR)
    args = parse_args()
    out_dir = os.path.join(args.artifacts, "tf1")
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(os.path.join(out_dir, "checkpoint"))
    rng = np.random.default_rng(args.seed)

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(args.seed)
        tokens = tf.placeholder(tf.int32, [None, None], name="tokens")
        lengths = tf.placeholder(tf.int32, [None], name="lengths")
        labels = tf.placeholder(tf.int32, [None], name="labels")
        tags = tf.placeholder(tf.int32, [None, None], name="tags")
        keep_prob = tf.placeholder_with_default(1.0, [], name="keep_prob")

        class_logits, tag_logits = model.build_model(tokens, lengths, keep_prob)
        class_probs = tf.nn.softmax(class_logits, name="class_probs")
        tag_logits = tf.identity(tag_logits, name="tag_logits")
        loss = model.build_loss(class_logits, tag_logits, labels, tags, lengths)
        train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
        saver = tf.train.Saver()

        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(1, args.steps + 1):
                batch_tokens, batch_lengths, batch_labels, batch_tags = toy_data.make_batch(rng, BATCH_SIZE, MAX_LEN)
                feed = {tokens: batch_tokens, lengths: batch_lengths, labels: batch_labels,
                        tags: batch_tags, keep_prob: 0.8}
                loss_value, _ = sess.run([loss, train_op], feed)
                if step % 50 == 0 or step == 1:
                    print("step %d loss %.4f" % (step, loss_value))

            saver.save(sess, os.path.join(out_dir, "checkpoint", "model.ckpt"))

            eval_tokens, eval_lengths, eval_labels, eval_tags = toy_data.make_batch(rng, 64, MAX_LEN)
            probs, logits = sess.run([class_probs, tag_logits], {tokens: eval_tokens, lengths: eval_lengths})
            valid = np.arange(MAX_LEN)[None, :] < eval_lengths[:, None]
            print("held-out sentence accuracy %.3f, token accuracy %.3f" % (
                np.mean(probs.argmax(-1) == eval_labels),
                np.mean(logits.argmax(-1)[valid] == eval_tags[valid])))
            np.savez(os.path.join(out_dir, "eval_batch.npz"), tokens=eval_tokens, lengths=eval_lengths,
                     labels=eval_labels, tags=eval_tags, class_probs=probs, tag_logits=logits)

            builder = tf.saved_model.Builder(os.path.join(out_dir, "saved_model"))
            signature = tf.saved_model.predict_signature_def(
                inputs={"tokens": tokens, "lengths": lengths},
                outputs={"class_probs": class_probs, "tag_logits": tag_logits},
            )
            builder.add_meta_graph_and_variables(
                sess, [tf.saved_model.tag_constants.SERVING],
                signature_def_map={"serving_default": signature},
            )
            builder.save()
    print("exported checkpoint and SavedModel to %s" % out_dir)


if __name__ == "__main__":
    main()

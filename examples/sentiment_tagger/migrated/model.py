"""Sentiment classifier and token tagger sharing one word embedding (TF1, 2017 style).

Two heads read the same embedded sentence:

* `encode_sentence`: a two-layer GRU stack (MultiRNNCell + DropoutWrapper) run by
  `tf.nn.dynamic_rnn`; its top layer's final state feeds the sentiment classifier.
* `tag_tokens`: a bidirectional LSTM (`tf.nn.bidirectional_dynamic_rnn`) whose
  per-token outputs feed the tag projection.

The RNN encoders live in their own functions and take only the embedded tokens,
the lengths and keep_prob: `rnnmigrate rewrite` migrates those. The embedding
lookup and the dense projections are small glue functions ported by hand.
"""
import tensorflow.compat.v1 as tf
from rnnmigrate.layers import (
    BidirectionalDynamicRNN,
    DropoutWrapper,
    DynamicRNN,
    GRUCell,
    LSTMCell,
    MultiRNNCell,
)

VOCAB_SIZE = 24
EMBEDDING_SIZE = 8
HIDDEN_SIZE = 16
NUM_LAYERS = 2
NUM_CLASSES = 2
NUM_TAGS = 3


def make_gru_cell(num_units, keep_prob):
    cell = GRUCell(num_units)
    return DropoutWrapper(cell, output_keep_prob=keep_prob)


def encode_sentence(embedded, lengths, keep_prob=1.0):
    """Read the sentence with a stacked GRU; return the top layer's final state."""
    cell = MultiRNNCell(
        [make_gru_cell(HIDDEN_SIZE, keep_prob) for _ in range(NUM_LAYERS)]
    )
    _, final_states = DynamicRNN(
        cell,
        dtype=tf.float32,
        scope="sentence_encoder",
    )(
        embedded,
        sequence_length=lengths,
    )
    return final_states[-1]


def tag_tokens(embedded, lengths):
    """Read the tokens in both directions; return the forward and backward outputs."""
    cell_fw = LSTMCell(HIDDEN_SIZE)
    cell_bw = LSTMCell(HIDDEN_SIZE)
    (outputs_fw, outputs_bw), _ = BidirectionalDynamicRNN(
        cell_fw,
        cell_bw,
        dtype=tf.float32,
        scope="tagger",
    )(
        embedded,
        sequence_length=lengths,
    )
    return outputs_fw, outputs_bw


def embed_tokens(tokens):
    embeddings = tf.get_variable("embedding/embeddings", [VOCAB_SIZE, EMBEDDING_SIZE])
    return tf.nn.embedding_lookup(embeddings, tokens)


def build_model(tokens, lengths, keep_prob=1.0):
    """The whole forward pass: returns class logits [batch, classes] and tag logits [batch, time, tags]."""
    embedded = embed_tokens(tokens)

    sentence_vector = encode_sentence(embedded, lengths, keep_prob)
    class_logits = tf.layers.dense(sentence_vector, NUM_CLASSES, name="classifier")

    outputs_fw, outputs_bw = tag_tokens(embedded, lengths)
    token_features = tf.concat([outputs_fw, outputs_bw], axis=-1)
    tag_logits = tf.layers.dense(token_features, NUM_TAGS, name="tag_projection")
    return class_logits, tag_logits


def build_loss(class_logits, tag_logits, labels, tags, lengths):
    """Sentence cross-entropy plus token cross-entropy over the valid tokens only."""
    class_loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=class_logits)
    )
    token_losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tags, logits=tag_logits)
    mask = tf.sequence_mask(lengths, tf.shape(tags)[1], dtype=tf.float32)
    tag_loss = tf.reduce_sum(token_losses * mask) / tf.reduce_sum(mask)
    return class_loss + tag_loss

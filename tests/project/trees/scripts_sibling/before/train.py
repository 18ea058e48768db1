import tensorflow as tf

import helpers

x = tf.placeholder(tf.float32, [None, 10, 3])  # expect: RNN201=info
outputs, state = tf.nn.dynamic_rnn(helpers.build_cell(16), x, dtype=tf.float32)  # expect: RNN001=auto

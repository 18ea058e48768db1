import tensorflow as tf
from rnnmigrate.layers import DynamicRNN

import helpers

x = tf.placeholder(tf.float32, [None, 10, 3])  # expect: RNN201=info
outputs, state = DynamicRNN(helpers.build_cell(16), dtype=tf.float32)(x)  # expect: RNN001=auto

"""Audit, rewrite and verify the migration of TensorFlow 1 RNN code to Keras 3."""

__version__ = "0.1.0"

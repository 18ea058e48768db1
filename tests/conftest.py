"""Test-session setup.

TF1 reference graphs need the legacy cells, which exist only when tf-keras is
installed and TF_USE_LEGACY_KERAS=1 is set before TensorFlow is first imported.
`import keras` stays Keras 3 either way, and that is what the runtime uses.
"""

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

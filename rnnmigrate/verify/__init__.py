"""`rnnmigrate verify`: does the migrated model compute what the TF1 model did?

The pipeline, one module per stage, read top to bottom:

1. ``models``   load both sides (TF1/TF2 SavedModel, TF1 checkpoint + .meta, .keras)
                and read their input and output signatures;
2. ``pairing``  pair inputs and outputs by name (``--map`` for the rest);
3. ``samples``  make batches that exercise padding (or load ``--inputs`` files);
4. ``pipeline`` run both models on every batch;
5. ``compare``  per output: shape, dtype, differences, valid vs padded steps;
6. ``report``   rich table, JSON document, saved ``.npy`` outputs;
7. ``steps``    with ``--outdir``, each output's difference per time step as CSV, drawn
                by ``picture`` when matplotlib is installed.

``command.verify_command`` is the typer command. Importing this package or the
command module never imports TensorFlow or numpy: that happens inside the run.
"""

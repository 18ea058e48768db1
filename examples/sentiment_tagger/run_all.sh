#!/usr/bin/env bash
# The whole migration of the example, start to finish:
#   1. train the TF1 model a few steps, export a TF1 SavedModel and checkpoint
#   2. rnnmigrate scan      the TF1 code
#   3. rnnmigrate rewrite   a copy of it (--apply)
#   4. build the Keras 3 model from the rewritten code, load the TF1 checkpoint, save .keras
#   5. rnnmigrate verify    TF1 SavedModel against the .keras model
# Everything is written under artifacts/ (git-ignored).
#
# Environment: PYTHON (default: python) must have rnnmigrate[test] installed;
# STEPS (default 300) training steps; ARTIFACTS (default: artifacts/ next to this script).
set -euo pipefail

# PYTHON and ARTIFACTS given relative to the caller's directory stay valid after the cd.
PYTHON=${PYTHON:-python}
case "$PYTHON" in /* | "") ;; */*) PYTHON="$PWD/$PYTHON" ;; esac
case "${ARTIFACTS:-}" in /* | "") ;; *) ARTIFACTS="$PWD/$ARTIFACTS" ;; esac
cd "$(dirname "$0")"
ARTIFACTS=${ARTIFACTS:-artifacts}
STEPS=${STEPS:-300}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

# scan and rewrite exit 1 when they find something: that is expected here.
findings_ok() { "$@" || [ $? -eq 1 ]; }

echo "== 1. TF1: train and export (legacy cells need TF_USE_LEGACY_KERAS=1)"
TF_USE_LEGACY_KERAS=1 "$PYTHON" tf1/train_export.py --artifacts "$ARTIFACTS" --steps "$STEPS"

echo "== 2. rnnmigrate scan tf1/"
findings_ok "$PYTHON" -m rnnmigrate scan tf1/

echo "== 3. rnnmigrate rewrite --apply on a copy of tf1/"
rm -rf "$ARTIFACTS/rewritten"
mkdir -p "$ARTIFACTS/rewritten"
cp tf1/*.py "$ARTIFACTS/rewritten/"
findings_ok "$PYTHON" -m rnnmigrate rewrite --apply "$ARTIFACTS/rewritten"
if ! diff -q "$ARTIFACTS/rewritten/model.py" migrated/model.py >/dev/null; then
    echo "warning: migrated/model.py differs from today's rewrite of tf1/model.py;"
    echo "         refresh it with: cp $ARTIFACTS/rewritten/model.py migrated/model.py"
fi

echo "== 4. Keras 3: build from the rewritten code, load the TF1 checkpoint, save model.keras"
"$PYTHON" build_keras.py --artifacts "$ARTIFACTS" --migrated "$ARTIFACTS/rewritten/model.py"

echo "== 5. rnnmigrate verify TF1 SavedModel vs model.keras"
"$PYTHON" -m rnnmigrate verify "$ARTIFACTS/tf1/saved_model" "$ARTIFACTS/keras/model.keras" \
    --json "$ARTIFACTS/verify.json"

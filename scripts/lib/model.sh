# Sourced by run.sh and serve.sh: stop with what to do when there is no trained model.
MODEL=models/assistant.tar.gz
require_model() {
  if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing. Run 'make train' (or 'make run', which trains it)." >&2
    exit 1
  fi
}

# Carewise: `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONFIG ?= config.toml
# The bundled model is on disk; never reach for a model hub.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run test ingest ask eval bench console clean

# The exported ONNX model (the default embedding backend); [embedding] onnx_dir, made from the bundled weights.
ONNX := var/onnx/export.json

setup: $(STAMP) $(ONNX)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 2>/dev/null || true
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

# Export once (about 10 s, needs torch); the backend also exports on first use if the files are gone.
$(ONNX): $(STAMP)
	$(PY) -m knowledge.onnx_export --config $(CONFIG)
	test ! -f $@ || touch $@

run: setup
	$(PY) -m ingest --config $(CONFIG) --if-needed
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
		$(PY) -m bot run --config $(CONFIG); \
	else \
		echo "TELEGRAM_BOT_TOKEN is not set: opening the terminal console (Ctrl-D to quit)."; \
		$(PY) -m bot console --config $(CONFIG); \
	fi

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

ingest: setup
	$(PY) -m ingest --config $(CONFIG) $(PATHS)

ask: setup
	$(PY) -m ingest --config $(CONFIG) --if-needed
	$(PY) -m bot ask --config $(CONFIG) "$(Q)"

console: setup
	$(PY) -m ingest --config $(CONFIG) --if-needed
	$(PY) -m bot console --config $(CONFIG)

eval: setup
	$(PY) -m ingest --config $(CONFIG) --if-needed
	$(PY) -m bot eval --config $(CONFIG)

bench: setup
	$(PY) -m bot bench --config $(CONFIG)

clean:
	rm -rf var

# Two commands on a fresh clone: `make report` and `make test`.
# Each creates .venv with python3 -m venv and pip when it is missing or older
# than pyproject.toml, installs the project into it, then does its job.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= build

.PHONY: report test venv clean

# One stamp per extra: the report needs the runtime only, the tests need [test].
$(VENV)/.stamp-runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-runtime
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.stamp-test

# Executes every notebook into $(OUT)/report/default: HTML pages, index.html,
# and beside them the data downloads (data/) and the report's text.
report: $(VENV)/.stamp-runtime
	$(BIN)/dalian-data report --html --out $(OUT)/report

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n auto --dist loadfile

clean:
	rm -rf $(OUT) .pytest_cache

# Two commands on a fresh clone: `make report` and `make test`.
# Each creates .venv with python3 -m venv and pip when it is missing or older
# than pyproject.toml, installs the project into it, then does its job.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= build

.PHONY: report test venv clean

# One stamp per set of extras (pyproject.toml): the report runs the notebooks
# and exports the data, so it needs [notebooks,export]; the tests need
# everything ([all]) and the test tools ([test]).
$(VENV)/.stamp-report: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,export]'
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-report
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	touch $@

venv: $(VENV)/.stamp-test

# Executes every notebook into $(OUT)/report/default: HTML pages, index.html,
# and beside them the data downloads (data/) and the report's text.
report: $(VENV)/.stamp-report
	$(BIN)/dalian-data report --html --out $(OUT)/report

test: $(VENV)/.stamp-test
	$(BIN)/python -m pytest -n auto --dist loadfile

clean:
	rm -rf $(OUT) .pytest_cache

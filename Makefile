# The two commands of the README: `make demo` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install install-fonts browser lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: a CPU wheel on disk; a looser pin would pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the page tests (Playwright drives it through executablePath)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-noto-cjk; }

# a TrueType CJK font for the PDF hand-outs (reportlab cannot read the CFF-based Noto CJK OpenType files)
install-fonts:
	@[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ -n "$$FINMATCH_CJK_FONT" ] || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q fonts-wqy-zenhei; }

demo: $(STAMP) install-fonts
	$(VENV)/bin/finmatch demo

test: $(STAMP) browser install-fonts
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check finmatch features training api app tests benchmarks
	$(PY) -m pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check finmatch features training api app tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/eligibility.py
	$(PY) benchmarks/embeddings.py
	$(PY) benchmarks/schedule.py
	$(PY) benchmarks/security.py
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/batch.py --projects 4000
	$(PY) benchmarks/sector.py
	$(PY) benchmarks/package_composer.py

clean:
	rm -rf $(VENV) var test-output

# The two commands of the README: `make run` and `make test`.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint format venv install migrate demo serve clean bench

.venv/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv || scripts/sysdeps.sh venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: .venv/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@$(PY) manage.py demo_logins
	@echo "Background worker and server starting; Ctrl-C stops both."
	@scripts/run.sh $(PY) $(HOST):$(PORT)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy waystation

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

test: lint
	scripts/test.sh

bench: install
	$(PY) -m pip install --quiet -r requirements-bench.txt
	@echo "see benchmarks/README.md"

clean:
	rm -rf var .venv

# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint types unit bench fuzz clean samples readme pictures wheelhouse manual golden rubric-json

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@PATH="$(abspath $(BIN)):$$PATH" bash samples/demo.sh demo-out

lint: $(STAMP)
	$(BIN)/ruff check greencli tests samples bench deploy
	$(BIN)/ruff format --check greencli tests samples bench deploy

types: $(STAMP)
	$(BIN)/mypy

# Every test, spread over the machine's cores a test file per worker (a module's fixtures are made once).
unit: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile

test: lint types unit

# The fast set while developing (well under a minute): lint, then every test not marked slow in tests/conftest.py
# (no wheelhouse, no killed or signalled processes, no console encodings, no LibreOffice), and the property tests
# with 25 examples each instead of 150. `make test` runs it all.
check: $(STAMP)
	$(BIN)/ruff check greencli tests samples bench deploy
	HYPOTHESIS_PROFILE=quick $(BIN)/pytest -m "not slow" -n auto --dist loadfile

# Renew tests/data/golden/ after a deliberate change of what users see; review the diff before committing it.
golden: $(STAMP)
	$(BIN)/python -m tests.update_golden

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Speed and memory against the file format's own cost (see bench/run.py); figures land in bench/results.json.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# A long fuzz run (random seed, thousands of inputs per test); crashing inputs belong in tests/data/fuzz/.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/pytest tests/test_fuzz.py tests/test_engine_properties.py -q -p no:randomly --hypothesis-show-statistics

# Rebuild the sample district (deterministic) and the demo output shown in README.md.
# Each bundled version of the standard, parsed once and kept beside it as JSON (read while the TOML is unchanged).
rubric-json: $(STAMP)
	$(BIN)/python -c "from greencli.adapters.rubric_file import bundled_paths, write_parsed_copy; [print(write_parsed_copy(p)) for p in bundled_paths()]"

samples: $(STAMP)
	$(BIN)/python samples/generate.py

readme: $(STAMP)
	$(BIN)/python samples/readme_demo.py

# The README's pictures of printed pages (docs/*.png), printed through LibreOffice from the sample district.
pictures: $(STAMP)
	$(BIN)/python samples/pictures.py

# Offline installation folders for PCs with no route to a package index (Windows x64 and Linux x86_64, every
# supported Python): dist/wheelhouse/<platform>/ holds greencli, every dependency, 安装说明.txt, the manual
# 使用说明.docx and 文件清单.txt. `make wheelhouse ANALYSIS=1` adds the analysis extra (pandas).
wheelhouse: $(STAMP)
	$(BIN)/python deploy/wheelhouse.py --out dist/wheelhouse $(if $(filter 1,$(ANALYSIS)),--with-analysis)

# The office's manual (Word) from docs/使用说明.md; the wheelhouse carries it too.
manual: $(STAMP)
	$(BIN)/python deploy/manual.py --out dist/使用说明.docx

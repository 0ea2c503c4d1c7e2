# The course's commands. `make book` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
JB_FLAGS := -n -W --keep-going
# `make book EDITION=student`: the student edition of the book (no solutions) in STUDENT_HTML;
# jupyter-book's --path-output adds _build/html to the folder it is given.
EDITION ?= solution
STUDENT_BOOK := _build/student-book
STUDENT_HTML := $(STUDENT_BOOK)/_build/html
# JupyterLab refuses to run as root unless told (containers, CI); a student's own account needs nothing.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
export ALLIANCE_ROOT := $(CURDIR)

.PHONY: FORCE help install node browser book book-clean check test test-slow unit lab student grade bench linkcheck clean \
	marking merge-marks feedback gradebook pdf poppler epub epubcheck

help:
	@echo "make book     install (virtual environment, locked packages) and build the HTML into _build/html"
	@echo "make book EDITION=student   the student edition of the book (no solutions) into $(STUDENT_HTML)"
	@echo "make check    the quick loop, after every edit (under 2 minutes): unit tests and content checks (quotations, citations, claims, prose), no build, browser or kernel"
	@echo "make unit     the same as make check"
	@echo "make test     install (and npm axe-core), build both editions, then every test (unit, strict build, install per Python, nbval, student edition, grading, browser)"
	@echo "make test-slow  the slow checks make test leaves out: the book on a fresh copy per Python, the trimmed theme against the original, the lab editions in JupyterLab, two clean builds, the student edition's popovers"
	@echo "make lab      JupyterLab on notebooks/: the chapters and the student exercises, your copies"
	@echo "make student  write the student edition to _build/student/"
	@echo "make epub [EDITION=student]   the EPUB edition (e-readers) into $(EPUB_DIR)/, checked with epubcheck"
	@echo "make grade SUBMISSIONS=folder-or-zip [ROSTER=roster.csv] [OUT=folder]   grade submissions (sandboxed) into OUT"
	@echo "make pdf      the course as print-ready PDF: _build/pdf/course.pdf (instructor) and course-student.pdf (no solutions)"
	@echo "make bench    measure build, page and corpus performance into _build/bench.json"
	@echo "make linkcheck  list and check external links (needs a network)"
	@echo "make marking OUT=folder   anonymous marking page and sheet: folder/marking/index.html, marks.csv"
	@echo "make merge-marks OUT=folder MARKS=\"a.csv [b.csv]\"   merge filled marking sheets, rewrite the gradebook"
	@echo "make feedback OUT=folder [MODEL_ANSWERS=1]   one feedback page per student and exercise, and a zip"
	@echo "make gradebook OUT=folder [ROSTER=roster.csv]   grades.csv, summary.csv/.html (and canvas.csv)"

# The Python is checked before anything is installed (tools/check_python.py: one line naming
# the supported range, from pyproject.toml's requires-python). A .venv left by an unsupported
# Python is replaced; a venv that failed halfway is removed. Node/npm is not needed here.
# A copied or moved course folder: the venv's editable install of the course still points to the old
# folder, so the package is not this folder's (and not visible inside the grading sandbox). The check
# runs every time; when the installed folder differs from this one it makes the stamp out of date, so
# the install below runs again and repairs it.
COURSE_FOLDER := $(VENV)/.course-folder
$(COURSE_FOLDER): FORCE
	@installed=$$(cd / && env -u PYTHONPATH -u ALLIANCE_ROOT $(CURDIR)/$(BIN)/python -c 'import alliance, pathlib; print(pathlib.Path(alliance.__file__).resolve().parent.parent)' 2>/dev/null); \
	if [ -x $(BIN)/python ] && [ "$$installed" != "$(realpath $(CURDIR))" ]; then \
	  echo "The course package is installed from $${installed:-nowhere}, not from this folder ($(CURDIR)): a copied or moved folder. Installing it again."; \
	  echo "$(CURDIR)" > $@; \
	elif [ -x $(BIN)/python ] && [ ! -e $@ ]; then echo "$(CURDIR)" > $@ && touch -d @0 $@; fi

FORCE:

$(STAMP): requirements.txt pyproject.toml $(COURSE_FOLDER)
	@$(PYTHON) tools/check_python.py --make --name "$(PYTHON)"
	@if [ -x $(BIN)/python ] && ! $(BIN)/python tools/check_python.py --version-only >/dev/null 2>&1; then \
	  echo "Replacing $(VENV): it was made with an unsupported Python"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# -qq: setuptools' notice on every editable install is not for students; errors still show.
	$(BIN)/python -m pip install --quiet --quiet --no-deps --no-build-isolation -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

install: $(STAMP)

# axe-core (npm) for the browser tests: only `make test` needs Node.js.
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make test needs npm (Node.js) for the browser tests' axe-core: install Node.js (on Debian or Ubuntu: sudo apt-get install npm). make book does not need it."; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

# Debian's Chromium for the browser tests (playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's poppler-utils (pdftotext, pdfimages, pdfinfo): the PDF tests read the printed PDFs with them.
poppler:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian's poppler-utils for the PDF tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

# The course as PDF (alliance/book/pdf.py), printed offline by Debian's Chromium from both built editions
# of the book: _build/pdf/course.pdf (solutions) and course-student.pdf, and every chart as an SVG
# in _build/pdf/charts/.
# The sources' few Chinese characters (bylines) need a CJK font, which Debian's chromium does not bring.
pdf: install browser poppler
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  echo "Installing Debian's fonts-wqy-microhei (a CJK font) for the PDF"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
	$(MAKE) --no-print-directory book EDITION=solution
	$(MAKE) --no-print-directory book EDITION=student
	$(BIN)/python -m alliance.book.pdf
	@# again: the download menus now offer the PDFs (alliance/book/sphinxext/downloads.py rewrites the pages)
	$(MAKE) --no-print-directory book EDITION=solution
	$(MAKE) --no-print-directory book EDITION=student

# The solution edition (the default) in _build/html; EDITION=student: the student edition, read by
# alliance/book/sphinxext/edition.py from ALLIANCE_BOOK_EDITION. Both share the execution cache.
# alliance.book.jupyterbook is jupyter-book's command line, started a second faster (one import deferred).
book: install
	@case "$(EDITION)" in solution|student) ;; *) echo "EDITION must be solution or student, not $(EDITION)"; exit 2;; esac
	ALLIANCE_BOOK_EDITION=$(EDITION) $(BIN)/python -m alliance.book.jupyterbook build . $(JB_FLAGS) \
	  $(if $(filter student,$(EDITION)),--path-output $(STUDENT_BOOK),)

book-clean:
	rm -rf _build/html _build/.doctrees _build/jupyter_execute $(STUDENT_BOOK)

# Unit, build, student-edition, grading and browser tests (on both editions of the book), but the slow checks
# of `make test-slow` (pytest marker `slow`); then
# nbval on the solution edition twice (outputs compared; kernels draw charts as in the book).
test: install node browser poppler epubcheck
	$(MAKE) --no-print-directory book EDITION=solution
	$(MAKE) --no-print-directory book EDITION=student
	$(BIN)/python -m pytest -m "not slow"
	for run in 1 2; do echo "nbval, run $$run of 2 (outputs must match twice in a row)"; \
	  ALLIANCE_CHART_MODE=book $(BIN)/python -m pytest --nbval exercises/ \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider || exit 1; done

# The slow checks `make test` leaves out (pytest marker `slow`): run them before a release, and after
# changing requirements, pyproject.toml, the Makefile's install or alliance/book/theme_assets.py.
test-slow: install node browser
	$(MAKE) --no-print-directory book EDITION=solution
	$(MAKE) --no-print-directory book EDITION=student
	$(BIN)/python -m pytest -m slow

# The quick loop (under two minutes): the unit tests and the content checks (quotations, citations, claims,
# prose: tests/content/), without the built book, a browser, an install or a kernel (markers build, browser,
# install, kernel, slow: `make test` runs them). `make unit` is the same.
CHECK_MARKERS := not build and not browser and not install and not kernel and not slow
check: install
	$(BIN)/python -m pytest -m "$(CHECK_MARKERS)"

unit: check

# Students work in notebooks/ (chapters/ and exercises/, the student edition): copies that read like the
# book. A notebook already there is never overwritten; delete it to get a fresh copy.
lab: book
	$(BIN)/python -m alliance.editions --lab notebooks
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR)/notebooks $(LAB_FLAGS)

student: book
	$(BIN)/python -m alliance.editions.student

# SUBMISSIONS: a folder, a folder per student or a Canvas zip; OUT defaults to SUBMISSIONS-graded.
grade: install
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder-or-zip [ROSTER=roster.csv] [OUT=folder] [SHARD=i/n]"; exit 2; }
	$(BIN)/python -m alliance.classroom.grading "$(SUBMISSIONS)" $(if $(OUT),--out "$(OUT)",) $(if $(ROSTER),--roster "$(ROSTER)",) $(if $(SHARD),--shard $(SHARD),) $(GRADE_FLAGS)

# Lighthouse 13 (npm, for `make bench`) asks for Node.js >= 22.19; Debian 12 has 20. npm's `node`
# package brings a Node 22 binary (from the npm registry) into LIGHTHOUSE_NODE_DIR, used only by the bench.
LIGHTHOUSE_NODE_DIR := _build/node22
LIGHTHOUSE_NODE_VERSION := 22.23.3
$(LIGHTHOUSE_NODE_DIR)/.installed:
	npm install --no-save --no-audit --no-fund --silent --prefix $(LIGHTHOUSE_NODE_DIR) node@$(LIGHTHOUSE_NODE_VERSION)
	$(LIGHTHOUSE_NODE_DIR)/node_modules/.bin/node --version
	touch $@

bench: install browser node $(LIGHTHOUSE_NODE_DIR)/.installed
	$(BIN)/python tools/bench.py $(if $(WITH_TEST),--with-test,)

# The EPUB edition, written from the built book (alliance/book/epub.py) and checked by Debian's epubcheck
# (java). EDITION=student: from the student edition of the book, as course-student.epub.
EPUB_DIR := _build/epub
EPUBCHECK_JAR := /usr/share/java/epubcheck.jar

epubcheck:
	@test -f $(EPUBCHECK_JAR) || { \
	  echo "Installing Debian's epubcheck to check the EPUB"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq epubcheck >/dev/null; }

epub: book epubcheck
	$(BIN)/python -m alliance.book.epub --check --edition $(EDITION) \
	  --html $(if $(filter student,$(EDITION)),$(STUDENT_HTML),_build/html) \
	  --out $(EPUB_DIR)/course$(if $(filter student,$(EDITION)),-student,).epub
	@# again: the download menus now offer the EPUB (alliance/book/sphinxext/downloads.py rewrites the pages)
	$(MAKE) --no-print-directory book EDITION=$(EDITION)

linkcheck: install book
	$(BIN)/python tools/linkcheck.py --check

clean:
	rm -rf _build

# After grading (OUT is the grading output folder, with results.json).
marking: install
	@test -n "$(OUT)" || { echo "usage: make marking OUT=folder"; exit 2; }
	$(BIN)/python -m alliance.classroom.marking export "$(OUT)"

# MARKS: one sheet, or several (one per marker) merged together: MARKS="a.csv b.csv". A blank cell leaves
# a merged mark as it is (CLEAR_BLANK=1 clears it); REPLACE=1 lets a sheet change marks merged from another.
merge-marks: install
	@test -n "$(OUT)" -a -n "$(MARKS)" || { echo "usage: make merge-marks OUT=folder MARKS=\"marks.csv [more.csv]\" [CLEAR_BLANK=1] [REPLACE=1]"; exit 2; }
	$(BIN)/python -m alliance.classroom.marking merge "$(OUT)" $(MARKS) $(if $(CLEAR_BLANK),--clear-blank,) $(if $(REPLACE),--replace,)

feedback: install
	@test -n "$(OUT)" || { echo "usage: make feedback OUT=folder [MODEL_ANSWERS=1]"; exit 2; }
	$(BIN)/python -m alliance.classroom.feedback "$(OUT)" $(if $(MODEL_ANSWERS),--model-answers,)

gradebook: install
	@test -n "$(OUT)" || { echo "usage: make gradebook OUT=folder [ROSTER=roster.csv]"; exit 2; }
	$(BIN)/python -m alliance.classroom.gradebook "$(OUT)" $(if $(ROSTER),--roster "$(ROSTER)",)

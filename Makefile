# BankPM: `make run` serves the demo, `make test` runs the whole suite against PostgreSQL and Redis.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?= -n 2 --dist worksteal

.PHONY: run test install install-test assets browser pdf directory ldap-headers lint messages bench mutate cluster resilience \
	clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python ldap-headers
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python ldap-headers
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed assets pdf
install-test: $(VENV)/.installed-test assets browser directory pdf
assets: node_modules/.installed

# Debian's Chromium and CJK fonts for the browser tests (Chinese pages render as boxes without the fonts).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "Installing chromium and fonts-noto-cjk from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# Debian's pango for WeasyPrint (review and portfolio packs as PDF), CJK fonts for their Chinese text, and poppler's
# pdftotext/pdftoppm with which the tests read a pack back.
pdf:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || [ ! -x /usr/bin/pdftotext ] \
		|| ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "Installing pango, poppler-utils and fonts-noto-cjk from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
			poppler-utils fonts-noto-cjk >/dev/null; \
	fi

# python-ldap (django-auth-ldap) builds against OpenLDAP's and SASL's headers.
ldap-headers:
	@if [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ]; then \
		echo "Installing libldap2-dev and libsasl2-dev from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null; \
	fi

# Debian's OpenLDAP server for the LDAP sign-on tests (tests/sso/ldap_server.py starts its own slapd on a free port).
directory:
	@if [ ! -x /usr/sbin/slapd ]; then \
		echo "Installing slapd from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null; \
	fi

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "BankPM at http://127.0.0.1:8000"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=bankpm.settings.local >/dev/null
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# Chinese is the source language; each app keeps its own English catalogue in <app>/locale.
APPS := core accounts products lifecycle requirements kpis risks exits changes complaints notifications webhooks sso \
	roadmap reports reviews portal bankpm
messages: $(VENV)/.installed
	for app in $(APPS); do (cd $$app && mkdir -p locale && ../$(BIN)/django-admin makemessages -l en --no-obsolete) || exit 1; done
	$(BIN)/python manage.py makemessages -l en --no-obsolete $(foreach a,$(APPS),--ignore=$(a)) --ignore=.venv \
		--ignore=node_modules --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: $(VENV)/.installed-test assets
	$(BIN)/python -m bench

# Mutation testing of the rule modules (slow: see MUTATION.md); MODULES="core/audit.py ..." narrows it.
mutate: $(VENV)/.installed-test assets
	$(BIN)/python scripts/mutate.py $(MODULES)
	$(BIN)/python scripts/hand_mutants.py

# The production shape on one machine (HAProxy, two web nodes, two workers, a beat, a primary with a streaming
# replica, Redis; scripts/cluster.sh), and the fault drills against it (scripts/resilience.py; not in CI: minutes).
cluster: install
	scripts/cluster.sh up

resilience: install
	$(BIN)/python scripts/resilience.py $(DRILLS)
	scripts/cluster.sh down

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles .mutate

# The two commands a newcomer needs: `make run` (the whole product on the embedded default
# stack) and `make test` (every test). Everything they need is installed here.
export GOTOOLCHAIN := local
GO ?= go
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c

.PHONY: run test unit fuzz bench build vet workflowcheck postgres-binaries chromium compose-check k8s-check clean assets

## run: start PostgreSQL, MinIO, Temporal + Web UI, the local SendGrid endpoint, the worker and the API
run: bin/minio bin/devstack postgres-binaries
	./bin/devstack

## test: vet, the determinism check of workflow code, the fuzz targets (briefly), the checks of
## docker-compose.yml and the Kubernetes manifests, and every test (unit, integration and the
## pages in headless Chromium; screenshots land in integration/testdata/artifacts/)
test: bin/minio postgres-binaries chromium vet workflowcheck fuzz compose-check k8s-check
	$(GO) test -count=1 -timeout 30m ./...

## unit: the fast tests only (no real servers)
unit:
	$(GO) test -short ./...

# Fuzz targets as package:Target. Go fuzzes one target per package per run, so each runs on
# its own for FUZZTIME; their seed corpora (f.Add, testdata/fuzz) also run with every `go test`.
# A failing input is saved under the package's testdata/fuzz/<Target>/: commit it with the fix.
FUZZ_TARGETS := ./award:FuzzCheckText ./award:FuzzUploadLimitsCheck ./starter/api:FuzzDecode \
	./email:FuzzDataJSON ./email/webhook:FuzzParse ./email/webhook:FuzzVerify ./services/cohort:FuzzParse
FUZZTIME ?= 5s

## fuzz: each fuzz target for FUZZTIME (5s, about a minute in all): request decoding and its clean-text check, the
## webhook parser and verifier, upload limits, email.Data decoding, the cohort CSV parser
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## bench: benchmarks, printing their figures
bench: bin/minio postgres-binaries
	$(GO) test -run '^$$' -bench . -benchmem ./...

build:
	$(GO) build -o bin/ ./cmd/...

vet:
	$(GO) vet ./...

workflowcheck:
	$(GO) tool workflowcheck ./workflows/...

bin/devstack: FORCE
	$(GO) build -o bin/devstack ./cmd/devstack

# MinIO is built once from its Go module (a pinned version) into ./bin.
bin/minio:
	@echo "building MinIO $(MINIO_VERSION) into ./bin (once; takes a few minutes)"
	GOBIN=$(CURDIR)/bin $(GO) install github.com/minio/minio@$(MINIO_VERSION)

# PostgreSQL server binaries come from the machine; install them with apt when we can.
postgres-binaries:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing PostgreSQL server binaries with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "PostgreSQL server binaries (initdb, pg_ctl) are missing: run 'sudo apt-get install -y postgresql'"; exit 1; fi

# Chromium for the browser tests (integration/browser_test.go drives it headless with
# chromedp) also comes from the machine: Debian's chromium package, installed with apt when we can.
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium with apt-get (the browser tests drive it headless)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is missing (the browser tests drive it): run 'sudo apt-get install -y chromium'"; exit 1; fi

## assets: rebuild the web front end from npm (GOV.UK Frontend, Sass, axe-core; pinned in
## web/frontend/package.json): web/static/app.css and govuk-frontend.min.js, and the axe
## fixture integration/testdata/axe/. Their output is committed, so `make run` and `make test`
## never need npm or Node: only someone changing web/frontend/ runs this (then commits web/static).
assets:
	cd web/frontend && npm ci --ignore-scripts --no-audit --no-fund && sh build.sh

## compose-check: docker-compose.yml parses (`docker-compose config`: Debian's docker-compose,
## no engine needed) and keeps its promises: every secret required, none with a default,
## .env.example complete, only the web/API and MinIO's S3 API published (deploy/compose/check.sh)
compose-check:
	@if ! command -v docker-compose >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing docker-compose with apt-get (compose-check parses docker-compose.yml with it)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; \
		else echo "docker-compose is missing (compose-check parses docker-compose.yml): run 'sudo apt-get install -y --no-install-recommends docker-compose'"; exit 1; fi; \
	fi
	sh deploy/compose/check.sh

## k8s-check: the Kubernetes manifests against Kubernetes' schemas, strictly and offline
## (kubeconform, a Go tool dependency; schemas vendored in deploy/k8s/schemas), and a planted
## typo must fail (deploy/k8s/check.sh)
k8s-check:
	GO="$(GO)" sh deploy/k8s/check.sh

clean:
	rm -rf bin/devstack

FORCE:

# The two commands a newcomer needs: `make run` (the whole product on the embedded default
# stack) and `make test` (every test). Everything they need is installed here.
export GOTOOLCHAIN := local
GO ?= go
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c

.PHONY: run test unit bench build vet workflowcheck postgres-binaries compose-check clean

## run: start PostgreSQL, MinIO, Temporal + Web UI, the local SendGrid endpoint, the worker and the API
run: bin/minio bin/devstack postgres-binaries
	./bin/devstack

## test: vet, the determinism check of workflow code, and every test (unit and integration)
test: bin/minio postgres-binaries vet workflowcheck
	$(GO) test -count=1 -timeout 30m ./...

## unit: the fast tests only (no real servers)
unit:
	$(GO) test -short ./...

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

compose-check:
	docker-compose config -q

clean:
	rm -rf bin/devstack

FORCE:

#!/bin/sh
# `make compose-check`: docker-compose.yml parses (Debian's docker-compose, no engine needed),
# and it keeps its promises: every required variable, left out alone, stops compose with its
# message; no password, secret or key has a default; .env.example lists every variable; only
# the web/API and MinIO's S3 API publish a port.
set -eu
cd "$(dirname "$0")/../.."
file=docker-compose.yml
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
compose() { docker-compose --env-file "$empty" -f "$file" "$@"; }

vars=$(grep -o '\${[A-Z0-9_]*' "$file" | cut -c3- | sort -u)
required=$(grep -o '\${[A-Z0-9_]*:?' "$file" | sed 's/^..//; s/:?$//' | sort -u)
fail=0

# A secret with a default would run with a value anyone can read here.
defaulted=$(grep -o '\${[A-Z0-9_]*:-' "$file" | sed 's/^..//; s/:-$//' | sort -u)
for v in $defaulted; do
  case "$v" in *PASSWORD* | *SECRET* | *KEY* | *USER*) echo "compose-check: $v has a default"; fail=1 ;; esac
done
for v in $vars; do
  grep -q "^$v=" .env.example || { echo "compose-check: .env.example does not list $v"; fail=1; }
done

# Every variable set (dummy values): the file must parse.
set_all() { for name in $required; do export "$name=dummy-$name"; done; }
( set_all; export PUBLIC_URL=https://awards.example S3_PUBLIC_URL=https://files.awards.example
  compose config -q ) || { echo "compose-check: docker-compose config failed"; exit 1; }

# Each required variable left out on its own must stop compose, naming it.
for v in $required; do
  if out=$( (set_all; unset "$v"; compose config -q) 2>&1); then
    echo "compose-check: compose accepts a missing $v"; fail=1
  elif ! printf '%s' "$out" | grep -q "$v"; then
    echo "compose-check: missing $v fails without naming it: $out"; fail=1
  fi
done

# Published ports: the web/API and MinIO's S3 API only.
published=$( (set_all; compose config) | awk '
  /^services:/ { in_services = 1; next }
  /^[^ ]/ { in_services = 0 }
  in_services && /^  [a-z]/ { svc = $1; sub(":", "", svc) }
  in_services && /^    ports:/ { print svc }')
for s in $published; do
  case "$s" in web | minio) ;; *) echo "compose-check: $s publishes a port"; fail=1 ;; esac
done

[ "$fail" = 0 ] || exit 1
echo "compose-check: $file parses; $(echo "$required" | wc -w) required variables each refuse to be left out; ports published by: $(echo $published)"

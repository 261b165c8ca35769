#!/usr/bin/env bash
# Installs what a fresh machine lacks, then the project's dependencies. Idempotent: safe to run every time.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
say() { printf '[setup] %s\n' "$*"; }

# Debian packages: PostgreSQL server binaries for the lab, Redis for the lab's caches and BullMQ queues,
# Chromium for the browser smoke probe and the reports' PDF, the AWS CLI v2 at /usr/bin/aws for the lab's
# CLI tests (lab/aws/aws-cli.lab.test.ts: an AWS CLI v1 elsewhere on PATH does not count).
need_apt=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# poppler-utils: pdftoppm/pdftotext/pdfinfo, the compliance PDF checked page by page as images.
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
[ -x /usr/bin/aws ] || need_apt+=(awscli)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    say "installing Debian packages with sudo: ${need_apt[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    say "missing ${need_apt[*]}: install them (apt-get install -y ${need_apt[*]}) and run again" >&2
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || npm install -g "pnpm@$PNPM_VERSION"
fi

say "installing node dependencies"
pnpm install --frozen-lockfile --reporter=silent
say "ready"

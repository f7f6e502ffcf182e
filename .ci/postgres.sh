#!/usr/bin/env bash
# PostgreSQL for the tests: Debian's postgresql, installed when missing, its cluster started,
# and the role the tests use (overseer, password overseer, allowed to create databases).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q postgresql
fi
VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$VERSION main$"; then
  $SUDO pg_createcluster "$VERSION" main
fi
if ! pg_lsclusters -h | awk '$1=="'"$VERSION"'" && $2=="main" {print $4}' | grep -q online; then
  $SUDO pg_ctlcluster "$VERSION" main start
fi
ROLE_SQL="DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'overseer') THEN CREATE ROLE overseer LOGIN SUPERUSER PASSWORD 'overseer'; END IF; END \$\$;"
if [ "$(id -u)" = "0" ]; then runuser -u postgres -- psql -qc "$ROLE_SQL"; else sudo -u postgres psql -qc "$ROLE_SQL"; fi
pg_lsclusters

#!/usr/bin/env bash
# Runs every test on SQLite and PostgreSQL, installing what is missing first:
# the Python packages, and Debian's chromium, a CJK font and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing+=(fonts-wqy-microhei)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  read -r version cluster < <(pg_lsclusters -h | head -n 1 | awk '{print $1, $2}') || true
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1); cluster=main
    pg_createcluster "$version" "$cluster" >/dev/null
  fi
  pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
  su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='lianzheng_test'\"" | grep -q 1 ||
    su postgres -c "psql -q -c \"CREATE ROLE lianzheng_test LOGIN SUPERUSER PASSWORD 'lianzheng_test'\""
  port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
  export TEST_POSTGRES_URL="postgresql://lianzheng_test:lianzheng_test@127.0.0.1:${port}/postgres"
fi

# The two databases' runs side by side (each its own process and databases), one report after the other.
logs=$(mktemp -d)
python3 -m pytest -q --durations=15 --database sqlite "$@" >"$logs/sqlite.txt" 2>&1 & sqlite=$!
python3 -m pytest -q --durations=15 --database postgresql "$@" >"$logs/postgresql.txt" 2>&1 & postgresql=$!
status=0
wait "$sqlite" || status=1
wait "$postgresql" || status=1
for db in sqlite postgresql; do echo "=== ${db} ==="; cat "$logs/$db.txt"; done
exit "$status"

#!/usr/bin/env bash
# Quick start, command 2: install what the tests need and run every check and test,
# once on SQLite and once on a real PostgreSQL server started here on a loopback port.
#   bash scripts/test.sh [extra pytest args]
source "$(dirname "$0")/_env.sh"

ensure_venv "test"
ensure_frontend
command -v chromium >/dev/null || apt_install chromium chromium-driver
ensure_fonts
# An independent AES ZIP reader checks that encrypted packages open outside Steward.
command -v 7z >/dev/null || apt_install p7zip-full

# --- PostgreSQL: a throwaway cluster on 127.0.0.1, stopped on exit --------------------------
pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  return 1
}
PGBIN="$(pg_bin || { apt_install postgresql >&2; pg_bin; })"
PGDIR="$(mktemp -d /tmp/steward-pg.XXXXXX)"
PGPORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres system user.
  id postgres >/dev/null 2>&1 || apt_install postgresql
  chown postgres "$PGDIR"
  PGRUN=(runuser -u postgres --)
else
  PGRUN=()
fi
cleanup() {
  "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
"${PGRUN[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U steward --auth=trust -E UTF8 >/dev/null
"${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-h 127.0.0.1 -p $PGPORT -k $PGDIR -F -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
PG_URL="postgres://steward@127.0.0.1:$PGPORT/steward"

# --- static checks ---------------------------------------------------------------------------
export STEWARD_DATA_DIR="$(mktemp -d /tmp/steward-test.XXXXXX)"
echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== mypy"
.venv/bin/mypy src
echo "== steward check"
.venv/bin/steward check
echo "== migrations are up to date"
.venv/bin/steward makemigrations --check --dry-run >/dev/null

# --- the suite, on both databases --------------------------------------------------------------
status=0
echo "== pytest on SQLite"
.venv/bin/pytest -q "$@" || status=$?
echo "== pytest on PostgreSQL (127.0.0.1:$PGPORT)"
DATABASE_URL="$PG_URL" .venv/bin/pytest -q "$@" || status=$?
rm -rf "$STEWARD_DATA_DIR"
exit "$status"

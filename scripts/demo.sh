#!/usr/bin/env bash
# Quick start, command 1: set everything up and serve Steward with a demo trust on SQLite.
#   bash scripts/demo.sh            (PORT=8000 by default; STEWARD_DATA_DIR=./var by default)
source "$(dirname "$0")/_env.sh"

ensure_venv ""
ensure_frontend
ensure_fonts
export STEWARD_DATA_DIR="${STEWARD_DATA_DIR:-$ROOT/var}"
PORT="${PORT:-8000}"
STEWARD=.venv/bin/steward

$STEWARD migrate --noinput -v0
$STEWARD collectstatic --noinput -v0
PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')"
$STEWARD demo --replace --seed 1 --password "$PASSWORD"
cat <<MSG

Steward is starting on http://127.0.0.1:${PORT}/
Sign in as the demo trust DPO:  username: dpo   password: ${PASSWORD}
Every other demo login listed above (school staff, "northside" for the alternative provision
provider, "parent" for a family in the portal) uses the same password.
(Press Ctrl+C to stop. Data lives in ${STEWARD_DATA_DIR}.)

MSG
exec $STEWARD runserver "127.0.0.1:${PORT}" --noreload

#!/usr/bin/env bash
# Starts the service as a newcomer would (`npm start`, embedded database, demo data) on a fresh data directory
# and checks readiness, the API documents and a printed demo login.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
log="$data_dir/server.log"
# Its own process group (job control on), so cleanup ends npm and the node server it started, not npm alone.
set -m
DATA_DIR="$data_dir/data" PORT=$port npm start >"$log" 2>&1 &
pid=$!
set +m
cleanup() { kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 90); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "server exited"; exit 1; }
  sleep 1
done
curl -fs "$base/health/ready" | grep -q '"status":"ok"'
curl -fs "$base/openapi.json" | grep -q '"openapi":"3.1.0"'
curl -fs -o /dev/null "$base/docs/"
curl -fs "$base/dang-nhap" | grep -q 'Đăng nhập'
curl -fs -o /dev/null "$base/assets/app.css"
curl -fs -o /dev/null "$base/assets/vendor/chart.umd.min.js"
grep -q "Demo logins" "$log" || { cat "$log"; echo "demo logins were not printed"; exit 1; }
password=$(sed -n 's/.*password for all: \([^)]*\)).*/\1/p' "$log")
token=$(curl -fs -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"noivu\",\"password\":\"$password\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
curl -fs "$base/api/v1/me" -H "authorization: Bearer $token" | grep -q '"role":"coordinator"'
echo "smoke: OK ($base: ready, /openapi.json, /docs, web login page and assets, demo login noivu)"

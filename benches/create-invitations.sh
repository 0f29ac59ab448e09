#!/usr/bin/env bash
# Invitation creation against the release server over loopback, driven by wrk from another
# process: requests/s and p99. Usage: benches/create-invitations.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-8}
seconds=${2:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p invitedesk-server
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
# Sending limits are policy, not capacity: lifted here to measure the server itself.
RUST_LOG=warn target/release/invitedesk-server --demo --db "$work/bench.db" --listen 127.0.0.1:0 \
  --org-sends-per-minute 4000000000 > "$work/demo.json" 2> "$work/server.log" &
server=$!
for _ in $(seq 100); do [ -s "$work/demo.json" ] && break; sleep 0.1; done
read -r base org key secret < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
o = d["organizations"][0]; a = o["principals"]["admin"]
print(d["baseUrl"], o["orgId"], a["accessKeyId"], a["apiSecret"])' "$work/demo.json")
export TOKEN=$(curl -sf -u "$key:$secret" -d grant_type=client_credentials "$base/oauth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
export ORG_PATH="/organizations/$org"
export POLICY=$(curl -sf -H "Authorization: Bearer $TOKEN" "$base$ORG_PATH/permissionpolicies" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
echo "wrk: $connections connections, ${seconds}s, 1 thread, against $base"
wrk -t1 -c"$connections" -d"${seconds}s" --latency -s benches/create-invitations.lua "$base" | tail -1

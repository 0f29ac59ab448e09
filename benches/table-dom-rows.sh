#!/usr/bin/env bash
# DOM rows while scrolling a million-row table (DESIGN §5: at most 100), in Debian's headless
# chromium: serves the repository on loopback, loads benches/ui/table-rows.html, which scrolls
# ui/table.js's VirtualTable through 101 stops from top to bottom, and prints what it measured.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8765}
python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 0.5
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" \
  --virtual-time-budget=60000 --dump-dom "http://127.0.0.1:$port/benches/ui/table-rows.html" 2>/dev/null \
  | grep -o '<title>[^<]*</title>'
rm -rf "$profile"

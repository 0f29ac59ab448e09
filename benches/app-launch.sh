#!/usr/bin/env bash
# Launch to cached rows on screen with 100k invitations cached, and idle memory (PSS of the app
# and its WebKit processes), against a blank Tauri window of the same binary (`--blank`), in
# one run under Xvfb. DESIGN §5: launch ≤ 1 s and ≤ 1.3× the blank window; memory ≤ 1.1×.
#   benches/app-launch.sh [runs]
# With INVITEDESK_LAUNCH_BASELINE=<an earlier build of the app>, each round launches that binary
# on the same cache too, so a change is compared with what came before in the same run.
# LAUNCH_IDLE_SECS (default 5): how long after READY the memory is read.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -q --features demo
app=target/release/invitedesk
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" DISPLAY=:97 WEBKIT_DISABLE_DMABUF_RENDERER=1
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
Xvfb :97 -screen 0 1280x860x24 >/dev/null 2>&1 &
sleep 1
cache="$XDG_DATA_HOME/com.invitedesk.console/profiles/demo/cache.db"

# Everything inside one D-Bus session with an unlocked keyring, so the demo profile's secret
# survives from the preparing run to the measured ones.
dbus-run-session -- bash -s "$app" "$cache" "$runs" "$work" "${INVITEDESK_LAUNCH_BASELINE:-}" <<'INNER'
set -euo pipefail
app=$1 cache=$2 runs=$3 work=$4 baseline=$5
printf bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null

tree_pss_kib() { # PSS of a process and all its descendants
  local total=0 pid
  for pid in $1 $(pgrep -P "$1") $(for c in $(pgrep -P "$1"); do pgrep -P "$c"; done); do
    [ -r "/proc/$pid/smaps_rollup" ] || continue
    local pss
    pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
    echo "  $(cat "/proc/$pid/comm") $pss KiB" >> "$work/breakdown"
    total=$((total + pss))
  done
  echo "$total"
}

launch() { # prints "<ms to READY> <PSS KiB after 5 s idle>"; LAUNCH_BINARY picks another build
  "${LAUNCH_BINARY:-$app}" "$@" > "$work/out" 2>/dev/null &
  local pid=$! waited=0
  until grep -q '^READY' "$work/out" 2>/dev/null; do
    sleep 0.05; waited=$((waited + 1))
    [ $waited -lt 600 ] || { echo "no READY from $app $*" >&2; kill $pid; exit 1; }
  done
  sleep "${LAUNCH_IDLE_SECS:-5}"
  echo "$* :" >> "$work/breakdown"
  echo "$(awk '/^READY/ { print $3 }' "$work/out") $(tree_pss_kib $pid)"
  kill $pid; wait $pid 2>/dev/null || true
}

# Prepare: a demo with 100k more invitations, synced into the Demo profile's cache.
INVITEDESK_DEMO_BULK=100000 "$app" --demo >/dev/null 2>&1 &
prep=$!
until python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$cache?mode=ro', uri=True); sys.exit(0 if c.execute(\"select count(*) from sync_state where list='invitations' and dt_full_sync is not null\").fetchone()[0] else 1)" 2>/dev/null; do sleep 0.5; done
# Then idle, as a user's session would be: the app folds the sync's write-ahead log into the
# file once quiet (src-tauri/src/memory.rs).
for _ in $(seq 60); do [ -s "$cache-wal" ] || break; sleep 0.25; done
kill $prep; wait $prep 2>/dev/null || true
echo "write-ahead log left: $(stat -c %s "$cache-wal" 2>/dev/null || echo none) bytes"
rows=$(python3 -c "import sqlite3; print(sqlite3.connect('$cache').execute('select count(*) from invitations').fetchone()[0])")
echo "cached invitations: $rows"

for i in $(seq "$runs"); do
  echo "blank $(launch --blank)"
  echo "app $(launch)"   # no --demo: the server is gone, the app opens on its cache, offline
  if [ -n "$baseline" ]; then echo "baseline $(LAUNCH_BINARY=$baseline launch)"; fi
done | tee "$work/results"
python3 - "$work/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(kind, col): return statistics.median(float(r[col]) for r in rows if r[0] == kind)
bl, al = med("blank", 1), med("app", 1)
bm, am = med("blank", 2) / 1024, med("app", 2) / 1024
print(f"launch to first paint, blank window: {bl:.0f} ms (median)")
print(f"launch to cached rows on screen:     {al:.0f} ms (median) = {al / bl:.2f}x the blank window")
# WebKit's web process sometimes takes ~500 ms more to start (before any page is asked for),
# for the blank window and the app alike; the medians of the launches without that delay:
fast = lambda kind: [float(r[1]) for r in rows if r[0] == kind and float(r[1]) < 500]
if fast("blank") and fast("app"):
    fb, fa = statistics.median(fast("blank")), statistics.median(fast("app"))
    print(f"  without the slow web-process starts: {fa:.0f} / {fb:.0f} ms = {fa / fb:.2f}x "
          f"({len(fast('app'))} and {len(fast('blank'))} launches)")
print(f"idle PSS, blank window:              {bm:.0f} MiB (median)")
print(f"idle PSS, app with 100k cached:      {am:.0f} MiB (median) = {am / bm:.2f}x the blank window")
if any(r[0] == "baseline" for r in rows):
    zl, zm = med("baseline", 1), med("baseline", 2) / 1024
    print(f"baseline build, launch to rows:      {zl:.0f} ms (median); this build {al / zl:.2f}x it")
    print(f"baseline build, idle PSS:            {zm:.0f} MiB (median); this build {am / zm:.2f}x it")
PY
echo "PSS by process, every run:"
cat "$work/breakdown"
INNER

#!/usr/bin/env bash
# SQLite and PostgreSQL side by side, in one run on this machine:
#   1. the client's full sync of 100k invitations from a server on each backend;
#   2. creates per second and p99: one SQLite instance, one PostgreSQL instance, two
#      PostgreSQL instances on one database;
#   3. list, status-filter and search pages over 1,000,000 invitations, each backend.
# PostgreSQL is a throw-away cluster (scripts/with-postgres). BENCH_SCALE_ROWS, BENCH_CREATES
# and BENCH_CLIENTS adjust the volumes (crates/server/benches/backends.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps --postgres
echo "## client full sync, server on SQLite"
cargo bench -q -p invitedesk-client --bench sync
echo "## client full sync, server on PostgreSQL"
scripts/with-postgres cargo bench -q -p invitedesk-client --bench sync
scripts/with-postgres cargo bench -q -p invitedesk-server --bench backends

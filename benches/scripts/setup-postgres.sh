#!/usr/bin/env bash
# A private PostgreSQL cluster for the search benchmark's baseline: installs Debian's
# `postgresql` when its programs are missing, creates a cluster in benches/out/pg (or $1 after
# `start`) owned by the `postgres` user, listening on 127.0.0.1:54329 only, and the database
# `vindwerk_bench`. Prints the connection string. Running it again while the cluster is up
# changes nothing.
#
#   benches/scripts/setup-postgres.sh          # start (and create when needed)
#   benches/scripts/setup-postgres.sh stop
set -euo pipefail
benches="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${PGBENCH_DATA:-$benches/out/pg}"
port=54329
conninfo="host=127.0.0.1 port=$port user=postgres dbname=vindwerk_bench"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

as_postgres() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [[ "${1:-start}" == stop ]]; then
    as_postgres "$bin/pg_ctl" -D "$data" stop -m fast || true
    exit 0
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
    mkdir -p "$data"
    [[ "$(id -u)" == 0 ]] && chown postgres:postgres "$data"
    as_postgres "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 1GB
max_parallel_workers_per_gather = 2
max_wal_size = 4GB
CONF
fi
if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
fi
if ! as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'vindwerk_bench'" | grep -q 1; then
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres vindwerk_bench
fi
echo "$conninfo"

#!/usr/bin/env bash
# A private PostgreSQL cluster for the search benchmark's baseline: installs Debian's
# `postgresql` when its programs are missing, creates a cluster in DIR (default benches/out/pg)
# owned by the `postgres` user, listening on 127.0.0.1:54329 only (trust for loopback), starts
# it, creates the database (`vindwerk_bench`, or $PGBENCH_DB) and prints the connection string
# ($PGBENCH_PORT for another port).
# Running it again while the cluster is up changes nothing.
#
#   benches/scripts/setup-postgres.sh [start] [DIR]   # start (and create when needed)
#   benches/scripts/setup-postgres.sh stop [DIR]
set -euo pipefail
benches="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
action=start
case "${1:-}" in
    start | stop) action="$1"; shift ;;
esac
data="${1:-${PGBENCH_DATA:-$benches/out/pg}}"
mkdir -p "$data"
data="$(cd "$data" && pwd)"
port="${PGBENCH_PORT:-54329}"
db="${PGBENCH_DB:-vindwerk_bench}"
conninfo="host=127.0.0.1 port=$port user=postgres dbname=$db"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "setup-postgres: installing Debian's postgresql" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

# initdb and the server refuse to run as root.
as_postgres() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [[ "$action" == stop ]]; then
    if [[ -f "$data/postmaster.pid" ]]; then
        as_postgres "$bin/pg_ctl" -D "$data" stop -m fast
    fi
    exit 0
fi

if [[ ! -f "$data/PG_VERSION" ]]; then
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres:postgres "$data"
    fi
    as_postgres "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=trust >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
# The search benchmark's cluster: loopback only, modest but fair memory.
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
if ! as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
fi
echo "$conninfo"

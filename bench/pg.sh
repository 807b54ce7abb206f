#!/usr/bin/env bash
# A throwaway PostgreSQL for the benchmark, on loopback only (default port 55433, data in
# var/bench/pg). `bench/pg.sh start` prints nothing but errors; `bench/pg.sh stop` stops the
# postmaster by the pid in its pid file; `bench/pg.sh url` prints the DATABASE_URL;
# `bench/pg.sh stamp [TEXT]` reads or sets what the database holds (BENCH_REUSE in run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PGPORT=${BENCH_PGPORT:-55433}
PGDATA=${BENCH_PGDATA:-$PWD/var/bench/pg}
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")
DB=${BENCH_DB:-routearbeid_bench}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"
      chown -R postgres:postgres "$PGDATA" 2>/dev/null || true
      chmod 700 "$PGDATA"
      as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust --no-sync >/dev/null
    fi
    if [ -s "$PGDATA/postmaster.pid" ] && kill -0 "$(head -n1 "$PGDATA/postmaster.pid")" 2>/dev/null; then
      exit 0
    fi
    # Bench-only settings (docs/performance.md, "Building the data"): durability off and the
    # least WAL (a benchmark database is thrown away; wal_level=minimal lets CREATE INDEX skip
    # WAL), rare checkpoints; memory sized for a 24 GiB machine that also runs the web server,
    # the task workers and locust. The same settings hold while the load is measured: they
    # only change what a write costs at commit, not how a query is planned or executed.
    # random_page_cost=1.1 is a production setting, not a bench one: the value usual for SSD
    # storage with the data in memory (docs/performance.md, "The production-like setup"); the
    # default 4 prices an index probe as a disk seek and prefers reading whole tables.
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w start -o "-p $PGPORT -k $PGDATA \
      -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 \
      -c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=32MB \
      -c maintenance_work_mem=1GB -c max_wal_size=16GB -c checkpoint_timeout=1h \
      -c random_page_cost=1.1 \
      -c max_connections=100" >/dev/null
    ;;
  createdb)
    PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
    ;;
  stop)
    if [ -s "$PGDATA/postmaster.pid" ]; then
      pid=$(head -n1 "$PGDATA/postmaster.pid")
      kill -INT "$pid" 2>/dev/null || true  # fast shutdown
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    ;;
  url)
    echo "postgres://postgres@127.0.0.1:$PGPORT/$DB"
    ;;
  stamp)
    # What the database holds, as the database's comment: `stamp TEXT` sets it (bench/run.sh,
    # after the data are complete), `stamp` prints it (nothing when there is no database).
    if [ $# -ge 2 ]; then
      psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DB" -v ON_ERROR_STOP=1 \
        -c "COMMENT ON DATABASE $DB IS '${2//\'/}'" >/dev/null
    else
      psql -At -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c \
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$DB'" \
        2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: bench/pg.sh start|createdb|stop|url|stamp [TEXT]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# `make bench`: a throwaway PostgreSQL on loopback, BENCH_CASES cases of generated data,
# gunicorn (BENCH_WORKERS sync workers: the unfiltered bench list needs one request per process)
# and two task workers with the bench settings, locust headless with BENCH_USERS people measured
# for BENCH_DURATION after all have logged in (the locustfile stops itself; -t 20m is only a
# safety net), then the raise_signals timing and the table. Everything it starts is stopped by
# pid at the end (also on Ctrl+C or an error). BENCH_DATABASE_URL: use that database instead.
# BENCH_REUSE=1: keep the database of an earlier run when it holds BENCH_CASES cases (its
# stamp, `bench/pg.sh stamp`): migrations still run, only a new plan is written. BENCH_OUT:
# where the plan, logs and report go (var/bench).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_CASES=${BENCH_CASES:-100000}
BENCH_USERS=${BENCH_USERS:-16}
BENCH_DURATION=${BENCH_DURATION:-6m}
BENCH_WORKERS=${BENCH_WORKERS:-4}
BENCH_PORT=${BENCH_PORT:-8765}
BENCH_WAIT=${BENCH_WAIT:-1:5}
BENCH_REUSE=${BENCH_REUSE:-0}
OUT=${BENCH_OUT:-var/bench}
PY=.venv/bin/python

export DJANGO_SETTINGS_MODULE=routearbeid.config.settings.bench
export DATABASE_URL=${BENCH_DATABASE_URL:-$(bench/pg.sh url)}
export PYTHONPATH=$PWD/src${PYTHONPATH:+:$PYTHONPATH}
export BENCH_PLAN=$OUT/plan.json BENCH_SAMPLES=$OUT/samples.json BENCH_WAIT
export BENCH_MEASURE=$BENCH_DURATION
mkdir -p "$OUT"
rm -f "$OUT"/locust_*.csv "$OUT"/samples.json "$OUT"/raise_signals*.json

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${BENCH_DATABASE_URL:-}" ] || bench/pg.sh stop
}
trap cleanup EXIT

phase_started=$SECONDS
phase() {
  local now=$SECONDS
  [ -z "${phase_name:-}" ] || printf '%-28s %5d s\n' "$phase_name" $((now - phase_started)) >>"$OUT/phases.txt"
  phase_name=$1
  phase_started=$now
  echo "== $1"
}
: >"$OUT/phases.txt"

phase "database"
reuse=0
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  bench/pg.sh start
  if [ "$BENCH_REUSE" = 1 ] && [ "$(bench/pg.sh stamp)" = "cases=$BENCH_CASES" ]; then
    reuse=1
    echo "reusing the database with $BENCH_CASES cases"
  else
    bench/pg.sh createdb
  fi
fi

phase "migrate"
$PY manage.py migrate --noinput >"$OUT/migrate.log"

if [ "$reuse" = 1 ]; then
  phase "plan (reused data)"
  $PY bench/generate.py --cases "$BENCH_CASES" --plan "$OUT/plan.json" --plan-only \
    | tee "$OUT/generate.txt"
else
  phase "generate ($BENCH_CASES cases)"
  $PY bench/generate.py --cases "$BENCH_CASES" --plan "$OUT/plan.json" | tee "$OUT/generate.txt"
  [ -n "${BENCH_DATABASE_URL:-}" ] || bench/pg.sh stamp "cases=$BENCH_CASES"
fi

phase "start servers"
.venv/bin/gunicorn routearbeid.config.wsgi --bind "127.0.0.1:$BENCH_PORT" \
  --workers "$BENCH_WORKERS" --worker-class sync --timeout 120 --log-level warning \
  >"$OUT/gunicorn.log" 2>&1 &
pids+=($!)
for _ in 1 2; do
  $PY manage.py db_worker >>"$OUT/db_worker.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$BENCH_PORT/health/" >/dev/null 2>&1 && break
  sleep 0.4
done

phase "load ($BENCH_USERS users, $BENCH_DURATION)"
.venv/bin/locust -f bench/locustfile.py --headless --host "http://127.0.0.1:$BENCH_PORT" \
  -u "$BENCH_USERS" -r 4 -t 20m --stop-timeout 10 --only-summary \
  --csv "$OUT/locust" --exit-code-on-error 0 >"$OUT/locust.log" 2>&1

phase "stop servers"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()

phase "raise_signals timing"
$PY bench/raise_signals.py --json "$OUT/raise_signals.json"
$PY bench/raise_signals.py --ahead 30 --repeat 3 --json "$OUT/raise_signals_30.json"

phase "report"
printf '%-28s %5d s\n' "total" "$SECONDS" >>"$OUT/phases.txt"
$PY bench/report.py --csv "$OUT/locust" --samples "$OUT/samples.json" \
  --raise-signals "$OUT/raise_signals.json" "$OUT/raise_signals_30.json" --phases "$OUT/phases.txt" \
  --cases "$BENCH_CASES" --users "$BENCH_USERS" --workers "$BENCH_WORKERS" \
  --markdown "$OUT/report.md"

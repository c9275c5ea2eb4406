#!/usr/bin/env bash
# Results page (/r/<token>/) throughput and latency under wrk, served by gunicorn sync workers.
#
# For each worker count in $WORKERS (default "2 4"): bench/match_latency.py --serve-only sets up
# a scratch stack (fresh PostgreSQL database, demo gallery, index, collectstatic), makes one
# finished match from a gallery photo through a real Celery worker, stops the worker and serves
# the page with gunicorn on 127.0.0.1. Then wrk runs a 5 s warm-up (not reported) and the
# measured run: wrk -t2 -c16 -d30s --latency URL. Loopback only; every run is bounded.
#
# Run from anywhere:  bench/page_load.sh            (WORKERS="2 4" DURATION=30s by default)
set -euo pipefail

cd "$(dirname "$0")/.."
WORKERS="${WORKERS:-2 4}"
DURATION="${DURATION:-30s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-16}"
DATABASE="${DATABASE:-lookalike_bench_page}"

scratch="$(mktemp -d -t lookalike-page-load-XXXXXX)"
server_pid=""

stop_server() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" || true
    fi
    server_pid=""
}
trap 'stop_server; rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) CPUs; $(.venv/bin/python --version)"
echo "load before: $(uptime)"

for workers in $WORKERS; do
    ready="$scratch/ready-$workers"
    log="$scratch/serve-$workers.log"
    .venv/bin/python bench/match_latency.py --serve-only --web-workers "$workers" \
        --database "$DATABASE" --ready-file "$ready" --serve-seconds 600 >"$log" 2>&1 &
    server_pid=$!
    # Setup imports the gallery (a minute or two); give up after 15 minutes.
    for _ in $(seq 1 900); do
        [[ -s "$ready" ]] && break
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$log" >&2
            echo "the server stopped before it was ready" >&2
            exit 1
        fi
        sleep 1
    done
    if [[ ! -s "$ready" ]]; then
        cat "$log" >&2
        echo "the server was not ready after 15 minutes" >&2
        exit 1
    fi
    url="$(cat "$ready")"
    echo
    echo "== gunicorn, $workers sync workers: $url"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$url" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url"
    echo "load after: $(uptime)"
    stop_server
done

#!/usr/bin/env bash
# The search benchmark in one command: builds vindwerk and the benchmark in release, then runs
# it (index build and update, `vindwerk serve` over loopback from one and from many clients,
# the same queries in process, on SQLite FTS5 and with --postgres on PostgreSQL), writing into
# benches/out/search-<N>/
# (report.json, report.txt, machine.txt, serve.log, and the cached corpus).
#
#   benches/scripts/run-search.sh                          # 100,000 vacancies
#   benches/scripts/run-search.sh --vacancies 1000000      # any other bench-search flags
#   benches/scripts/run-search.sh --postgres ...           # PostgreSQL too (setup-postgres.sh)
#   benches/scripts/run-search.sh --postgres "host=... dbname=..."   # an existing database
set -euo pipefail
benches="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$benches/.." && pwd)"
cd "$root"
cargo build --release --bin vindwerk
cargo build --release -p vindwerk-benches --bin bench-search

vacancies=100000
args=()
while (($#)); do
    case "$1" in
        --postgres | --with-postgres)
            # `--postgres CONNINFO` is passed on; alone it starts the private cluster.
            if [[ "$1" == --postgres && $# -gt 1 && "$2" != --* ]]; then
                args+=(--postgres "$2")
                shift
            else
                args+=(--postgres "$("$benches/scripts/setup-postgres.sh")")
            fi
            ;;
        *) args+=("$1") ;;
    esac
    shift
done
set -- "${args[@]}"
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
        --vacancies) vacancies="${args[$((i + 1))]}" ;;
        --vacancies=*) vacancies="${args[$i]#--vacancies=}" ;;
    esac
done
out="$benches/out/search-$vacancies"
mkdir -p "$out"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cores: $(nproc)"
    echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
    echo "memory: $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command: bench-search --dir $out $*"
} | tee "$out/machine.txt"
"$root/target/release/bench-search" --dir "$out" "$@" --json \
    > "$out/report.json"
python3 - "$out/report.json" <<'PY' | tee "$out/report.txt"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['vacancies']} vacancies; index build {r['index']['build_s']} s, "
      f"peak RSS {(r['index']['peak_rss_bytes'] or 0) // 10**6} MB; "
      f"update of {r['update']['changed']} in {r['update']['update_s']} s")
print(f"startup to first answer {r['startup']['binary_first_answer_s']} s")
for name in ('in_process', 'http_single'):
    l = r[name]
    print(f"{name}: p50 {l['p50_ms']} ms, p95 {l['p95_ms']} ms, p99 {l['p99_ms']} ms")
load = r['http_load']
print(f"http load, {load['clients']} clients: {load['queries_per_s']} queries/s, "
      f"p99 {load['latencies']['p99_ms']} ms, {load['errors']} errors")
for name in ('fts', 'postgres'):
    if r.get(name):
        f = r[name]
        print(f"{name}: load {f['load_s']} s, {f['bytes'] // 10**6} MB, "
              f"p50 {f['single']['p50_ms']} ms, p95 {f['single']['p95_ms']} ms, "
              f"p99 {f['single']['p99_ms']} ms, mean {f['single']['mean_ms']} ms")
a = r.get('postgres_agreement')
if a:
    print(f"postgres against fts5: totals differ on {a['total_mismatches']} of {a['queries']} "
          f"queries ({a['total_mismatches_without_text']} without text), facet counts on "
          f"{a['facet_mismatches']} ({a['facet_mismatches_without_text']} without text), "
          f"newest hits on {a['hit_mismatches_without_text']} without text")
for k, v in r['ratios'].items():
    print(f"ratio baseline/vindwerk, {k}: {v}")
PY

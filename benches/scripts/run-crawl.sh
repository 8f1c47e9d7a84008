#!/usr/bin/env bash
# The end-to-end crawl benchmark in one command: installs Scrapy (pinned, from PyPI) into
# benches/.venv, builds vindwerk and the benchmark in release, and crawls the fixture web with
# both, writing into benches/out/crawl (results.json, and per crawl its sources.toml, store,
# logs, items and memory samples).
#
#   benches/scripts/run-crawl.sh                      # 5,000 and 20,000 vacancies
#   benches/scripts/run-crawl.sh --vacancies 50000    # any other bench-crawl flags
set -euo pipefail
benches="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$benches/.." && pwd)"
"$benches/scripts/setup-python.sh"
cd "$root"
cargo build --release --bin vindwerk
cargo build --release -p vindwerk-benches --bin bench-crawl
mkdir -p "$benches/out/crawl"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "cores: $(nproc)"
    echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "scrapy: $("$benches/.venv/bin/python" -m scrapy version)"
    echo "python: $("$benches/.venv/bin/python" --version 2>&1)"
} | tee "$benches/out/crawl/machine.txt"
if [[ $# -eq 0 ]]; then
    set -- --vacancies 5000,20000
fi
"$root/target/release/bench-crawl" --scrapy "$@" | tee "$benches/out/crawl/results.txt"

#!/usr/bin/env bash
# Installs Scrapy (the crawler a user would pick instead of vindwerk), pinned, from PyPI into
# benches/.venv, for benches/scripts/run-crawl.sh. Idempotent: a venv with that version is kept.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
scrapy_version="${SCRAPY_VERSION:-2.19.0}"
if [[ -x "$venv/bin/python" ]] \
    && [[ "$("$venv/bin/python" -m scrapy version 2>/dev/null)" == "Scrapy $scrapy_version" ]]; then
    echo "Scrapy $scrapy_version already installed in $venv"
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "scrapy==$scrapy_version"
echo "installed $("$venv/bin/python" -m scrapy version) into $venv"

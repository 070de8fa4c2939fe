#!/usr/bin/env bash
# Backs up Tegoed's database: PostgreSQL with pg_dump (custom format, consistent while the backend
# runs), or the embedded PGlite folder as a tar file (stop the backend first: PGlite has one writer).
# The chain needs no backup here: it is replicated on every validator. Keep the deployment file with it.
#   scripts/backup.sh [folder]        (default ./backups)
set -euo pipefail
out="${1:-backups}"
mkdir -p "$out"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -n "${DATABASE_URL:-}" || -n "${DATABASE_URL_FILE:-}" ]]; then
  url="${DATABASE_URL:-$(cat "$DATABASE_URL_FILE")}"
  pg_dump --format=custom --no-owner --file="$out/tegoed-$stamp.dump" "$url"
  echo "$out/tegoed-$stamp.dump"
else
  dir="${DATA_DIR:-.data/pglite}"
  [[ -d "$dir" ]] || { echo "backup: no PGlite folder at $dir (set DATA_DIR)" >&2; exit 1; }
  tar -C "$dir" -czf "$out/tegoed-pglite-$stamp.tar.gz" .
  echo "$out/tegoed-pglite-$stamp.tar.gz"
fi
if [[ -f "${DEPLOYMENT_FILE:-.data/deployment.json}" ]]; then cp "${DEPLOYMENT_FILE:-.data/deployment.json}" "$out/deployment-$stamp.json"; fi

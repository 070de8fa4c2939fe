#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into an empty database (PostgreSQL) or folder (PGlite).
# Stop the backend first. On its next start the indexer reads every block after the restored cursor,
# so payments, refunds and payouts made on chain since the backup come back (docs/operations.md).
#   scripts/restore.sh <backup file>
set -euo pipefail
file="${1:?usage: scripts/restore.sh <tegoed-….dump | tegoed-pglite-….tar.gz>}"
case "$file" in
  *.dump)
    url="${DATABASE_URL:-$(cat "${DATABASE_URL_FILE:?DATABASE_URL or DATABASE_URL_FILE is required}")}"
    pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$url" "$file"
    ;;
  *.tar.gz)
    dir="${DATA_DIR:-.data/pglite}"
    if [[ -d "$dir" ]]; then mv "$dir" "$dir.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"; fi
    mkdir -p "$dir"
    tar -C "$dir" -xzf "$file"
    ;;
  *) echo "restore: $file is neither a .dump nor a PGlite .tar.gz" >&2; exit 1 ;;
esac
echo "restored $file; start the backend: the indexer catches up from the restored cursor"

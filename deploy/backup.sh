#!/usr/bin/env bash
# Back up the calendar database with pg_dump (custom format: compressed, restorable table by table).
#
#   deploy/backup.sh [FILE]
#
# Reads DATABASE_URL (the app's own setting; postgresql+psycopg:// is accepted), BACKUP_DIR (default
# ./backups) and BACKUP_KEEP_DAYS (default 14: older calendar-*.dump files in BACKUP_DIR are deleted).
# Prints the path of the new backup. The dump is a consistent snapshot taken while the app keeps running.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
url="$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?(\+[a-z0-9_]+)?://#postgresql://#')"
case "$url" in
  postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac
dir="${BACKUP_DIR:-./backups}"
keep="${BACKUP_KEEP_DAYS:-14}"

umask 077
mkdir -p "$dir"
file="${1:-$dir/calendar-$(date -u +%Y%m%dT%H%M%SZ).dump}"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" --dbname="$url"
# a dump that pg_restore cannot read is no backup
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"

if [ "$#" -eq 0 ] && [ "$keep" -gt 0 ]; then
  find "$dir" -maxdepth 1 -name 'calendar-*.dump' -type f -mtime +"$keep" -delete
fi
echo "$file"

#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh.
#
#   deploy/restore.sh [--replace] [--yes] FILE [TARGET_URL]
#
# TARGET_URL defaults to DATABASE_URL. Into a new, empty database (createdb calendar_restored) the
# restore runs as one transaction: it either completes or leaves the database as it was. --replace
# drops the target's tables first (asks for confirmation unless --yes): stop the app servers and the
# scheduler before replacing the live database. Afterwards `flask --app wsgi db upgrade` brings an
# older backup up to the current schema.
set -euo pipefail

replace=0
yes=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --replace) replace=1; shift ;;
    --yes) yes=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) echo "restore.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
file="${1:?usage: restore.sh [--replace] [--yes] FILE [TARGET_URL]}"
target="${2:-${DATABASE_URL:-}}"
[ -n "$target" ] || { echo "restore.sh: give TARGET_URL or set DATABASE_URL" >&2; exit 2; }
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }
url="$(printf '%s' "$target" | sed -E 's#^postgres(ql)?(\+[a-z0-9_]+)?://#postgresql://#')"

pg_restore --list "$file" >/dev/null

options=(--no-owner --no-privileges --exit-on-error --single-transaction)
if [ "$replace" -eq 1 ]; then
  if [ "$yes" -ne 1 ]; then
    read -r -p "Replace every table of ${url##*@} with $file? Type yes: " answer
    [ "$answer" = "yes" ] || { echo "restore.sh: nothing done" >&2; exit 1; }
  fi
  options+=(--clean --if-exists)
fi

pg_restore "${options[@]}" --dbname="$url" "$file"
echo "restored $file into ${url##*@}"

#!/bin/sh
# The backup service's schedule: the backup due (full when the last full one is BACKUP_FULL_EVERY_DAYS
# old, else incremental) every BACKUP_EVERY_HOURS hours; a failed one is tried again after
# BACKUP_RETRY_MINUTES. WAL is archived all the while by the server itself.
set -u
every=$(( ${BACKUP_EVERY_HOURS:-6} * 3600 ))
retry=$(( ${BACKUP_RETRY_MINUTES:-15} * 60 ))
while :; do
  if python manage.py backup --type auto; then
    sleep "$every"
  else
    echo "The backup failed; trying again in ${BACKUP_RETRY_MINUTES:-15} minutes." >&2
    sleep "$retry"
  fi
done

#!/bin/sh
# vsplan's backup, as the service user (nightly from /etc/cron.d/vsplan):
#   runuser -u vsplan -- /srv/vsplan/deploy/backup.sh
# One pg_dump of the database (everything vsplan knows is there, the stored PDFs
# included) into $VSPLAN_BACKUP_DIR (/var/backups/vsplan), readable by its owner
# only; dumps older than $VSPLAN_BACKUP_DAYS (14) days are removed. Prints the
# file's name.
set -eu
umask 077
set -a
. "${VSPLAN_ENV_FILE:-/etc/vsplan.env}"
set +a
dir=${VSPLAN_BACKUP_DIR:-/var/backups/vsplan}
file="$dir/vsplan-$(date +%Y-%m-%d-%H%M%S).dump"
# Written under another name first, so that a dump cut short is never mistaken
# for a whole one.
pg_dump --format=custom --file="$file.partial" --dbname="$DATABASE_URL"
mv "$file.partial" "$file"
find "$dir" -maxdepth 1 -name 'vsplan-*.dump' -mtime +"${VSPLAN_BACKUP_DAYS:-14}" -delete
echo "$file"

#!/bin/sh
# manage.py as the services run it: this checkout, its virtualenv, the environment
# file. Run it as the service user, e.g.
#   runuser -u vsplan -- /srv/vsplan/deploy/manage.sh createsuperuser
set -eu
cd "$(dirname "$0")/.."
set -a
. "${VSPLAN_ENV_FILE:-/etc/vsplan.env}"
set +a
exec .venv/bin/python manage.py "$@"

#!/bin/sh
# Install or upgrade vsplan in this checkout, as the service user:
#   runuser -u vsplan -- /srv/vsplan/deploy/install.sh
# The dependencies pinned in pyproject.toml into .venv, the database migrated,
# the static files collected, the roles set up, and the deployment checklist.
# It restarts nothing: deploy/upgrade.sh (as root) does this and then restarts.
set -eu
cd "$(dirname "$0")/.."
env_file=${VSPLAN_ENV_FILE:-/etc/vsplan.env}
set -a
. "$env_file"
set +a
if [ "${DJANGO_SETTINGS_MODULE:-}" != vsplan.settings.prod ]; then
  echo "install.sh: $env_file must set DJANGO_SETTINGS_MODULE=vsplan.settings.prod" >&2
  exit 1
fi

# The requirements are generated into .venv, never left in the checkout.
.venv/bin/python - > .venv/requirements.txt <<'PY'
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r .venv/requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py setup_roles
.venv/bin/python manage.py check --deploy --fail-level WARNING
echo "install.sh: $(git rev-parse --short HEAD) installed; now restart the services (deploy/upgrade.sh does)"

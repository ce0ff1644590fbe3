#!/bin/sh
# Install or upgrade vsplan in this checkout, as the service user:
#   runuser -u vsplan -- /srv/vsplan/deploy/install.sh
# The dependencies uv.lock pins (with their hashes) into .venv, the database migrated,
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

# Exactly what uv.lock pins for the app, every file checked against its hash: first uv (the
# version and hashes the lock names), which turns the lock into a requirements file (in .venv,
# never left in the checkout), then pip installs that.
.venv/bin/python - > .venv/uv-requirement.txt <<'PY'
import tomllib
[uv] = [p for p in tomllib.load(open("uv.lock", "rb"))["package"] if p["name"] == "uv"]
files = uv.get("wheels", []) + ([uv["sdist"]] if "sdist" in uv else [])
print(f"uv=={uv['version']} " + " ".join(f"--hash={f['hash']}" for f in files))
PY
pip_install() {
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes "$@"
}
pip_install --no-deps -r .venv/uv-requirement.txt
.venv/bin/uv export --frozen --no-dev --no-emit-project --quiet -o .venv/requirements.txt
pip_install -r .venv/requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/python manage.py setup_roles
.venv/bin/python manage.py check --deploy --fail-level WARNING
echo "install.sh: $(git rev-parse --short HEAD) installed; now restart the services (deploy/upgrade.sh does)"

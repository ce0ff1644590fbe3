#!/usr/bin/env bash
# The deployment drill: follow docs/deploy.md on this Debian machine, as root, and
# check through nginx that the result works (docs/deploy.md, "The drill").
#
#   scripts/deploy_drill.sh                     # everything (CI runs this)
#   DRILL_PG_RESTART=0 scripts/deploy_drill.sh  # without restarting PostgreSQL
#   DRILL_KEEP=1 scripts/deploy_drill.sh        # leave it all in place afterwards
#
# It deploys the current commit (HEAD) of this checkout, runs the blocks of
# docs/deploy.md marked <!-- drill: NAME --> verbatim with its own names (host
# vsplan-drill.example.org in /etc/hosts, database vsplan_drill), stands in for
# systemd (scripts/deploy_drill/systemctl), and removes everything it started or
# created at the end, also after a failure; a run cut short is cleaned up by the
# next. It refuses to touch a vsplan it did not install. Exit status 0 only if
# every check passed.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DOCS="$REPO/docs/deploy.md"
HOST=vsplan-drill.example.org
DB=vsplan_drill
STATE=/var/tmp/vsplan-deploy-drill          # the drill's own files; removed at the end
MARKS="$STATE/created"                      # what the drill created, so may remove
DRILL_PYTHON_DIR=/opt/vsplan-drill-python
CERT=/etc/ssl/certs/vsplan.pem
KEY=/etc/ssl/private/vsplan.key
HOSTS_MARK="# vsplan-deploy-drill"
PORTS=(8000 8001)
WEB_UNITS=(vsplan@8000.service vsplan@8001.service)
PG_VERSION=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
CHECK_PYTHON="$REPO/.venv/bin/python"
export DRILL_STATE="$STATE"

started=$(date +%s)
declare -a RESULTS=()
failures=0

log() { echo "drill: $*"; }
die() { echo "drill: $*" >&2; exit 1; }

# One check's result, for the summary.
record() {  # record PASS|FAIL name [why]
  RESULTS+=("$1 $2${3:+: $3}")
  [ "$1" = PASS ] || failures=$((failures + 1))
  echo "$1 $2${3:+: $3}"
}

# Run a checks.py subcommand; its PASS/FAIL lines go to the summary.
run_checks() {
  local output status=0
  output=$("$CHECK_PYTHON" "$REPO/scripts/deploy_drill/checks.py" --host "$HOST" --cafile "$CERT" "$@" 2>&1) || status=$?
  while IFS= read -r line; do
    case "$line" in
      "PASS "*) record PASS "${line#PASS }" ;;
      "FAIL "*) rest=${line#FAIL }; record FAIL "${rest%%: *}" "${rest#*: }" ;;
      *) echo "  $line" ;;
    esac
  done <<<"$output"
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' <<<"$output"; then
    record FAIL "checks.py $1 ran to the end" "exit status $status"
  fi
}

# The shell block after "<!-- drill: NAME" in docs/deploy.md.
block() {
  local text
  text=$(awk -v name="$1" '
    index($0, "<!-- drill: " name " ") == 1 || $0 == "<!-- drill: " name " -->" { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }
  ' "$DOCS")
  [ -n "$text" ] || die "docs/deploy.md has no block <!-- drill: $1 -->"
  printf '%s\n' "$text"
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }

unit_pid() { cat "$STATE/run/$1.pid" 2>/dev/null || true; }

# --- cleaning up: everything the drill made, and only that -------------------

cleanup() {
  set +e
  log "cleaning up"
  if ! pg_up && [ -n "$PG_VERSION" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
    for _ in $(seq 30); do pg_up && break; sleep 1; done
  fi
  if [ -d "$STATE/run" ]; then
    for file in "$STATE"/run/*.pid; do
      [ -e "$file" ] || continue
      PATH="$REPO/scripts/deploy_drill:$PATH" systemctl stop "$(basename "$file" .pid)"
    done
  fi
  [ -f "$STATE/watch.pid" ] && kill "$(cat "$STATE/watch.pid")" 2>/dev/null
  if [ -e "$MARKS/nginx-site" ]; then
    rm -f /etc/nginx/sites-enabled/vsplan /etc/nginx/sites-available/vsplan
    if [ -e "$MARKS/nginx-default-site" ] && [ -e /etc/nginx/sites-available/default ] \
      && [ ! -e /etc/nginx/sites-enabled/default ]; then
      ln -s /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default
    fi
    if [ -e "$MARKS/nginx-started" ]; then
      [ -f /run/nginx.pid ] && kill -QUIT "$(cat /run/nginx.pid)" 2>/dev/null
    elif [ -f /run/nginx.pid ]; then
      nginx -s reload 2>/dev/null
    fi
  fi
  if grep -q "$HOSTS_MARK" /etc/hosts; then
    # Rewritten in place: /etc/hosts may be a mount point that cannot be replaced.
    grep -v "$HOSTS_MARK" /etc/hosts > "$STATE/hosts" && cat "$STATE/hosts" > /etc/hosts
  fi
  if pg_up; then
    for database in "$DB" "${DB}_restored"; do
      runuser -u postgres -- dropdb --if-exists --force "$database" 2>/dev/null
    done
    runuser -u postgres -- dropuser --if-exists "$DB" 2>/dev/null
  fi
  if [ -e "$MARKS/install" ]; then
    rm -rf /srv/vsplan /etc/vsplan.env /etc/systemd/system/vsplan@.service \
      /etc/systemd/system/vsplan-worker.service /etc/cron.d/vsplan /var/backups/vsplan
  fi
  [ -e "$MARKS/certificate" ] && rm -f "$CERT" "$KEY"
  [ -e "$MARKS/python" ] && rm -rf "$DRILL_PYTHON_DIR"
  if [ -e "$MARKS/user" ] && id vsplan >/dev/null 2>&1; then
    userdel --remove vsplan 2>/dev/null
    getent group vsplan >/dev/null && groupdel vsplan
  fi
  rm -rf "$STATE"
  set -e
}

summary() {
  local status=$?
  [ "${DRILL_KEEP:-0}" = 1 ] && log "DRILL_KEEP=1: everything left in place ($STATE)" || cleanup
  echo
  echo "== deployment drill: summary"
  printf '  %s\n' "${RESULTS[@]}"
  local seconds=$(( $(date +%s) - started ))
  local passed=$(( ${#RESULTS[@]} - failures ))
  if [ "$status" -ne 0 ]; then
    echo "drill: stopped early (exit status $status) after $passed passed and $failures failed checks, in ${seconds} s"
    exit "$status"
  fi
  echo "drill: $passed of ${#RESULTS[@]} checks passed, $failures failed, in ${seconds} s"
  [ "$failures" -eq 0 ] || exit 1
  exit "$status"
}

# --- before: one drill at a time, a clean slate, nothing of anyone else's ------

[ "$(id -u)" = 0 ] || die "run it as root (it installs packages, a user and an nginx site)"
command -v apt-get >/dev/null || die "this drill is for Debian and Ubuntu (apt-get)"
[ -n "$PG_VERSION" ] || die "no local PostgreSQL cluster (/etc/postgresql)"
[ -x "$CHECK_PYTHON" ] || die "run ./dev test once first: the checks use .venv/bin/python"
exec 9>/run/lock/vsplan-deploy-drill.lock
flock -w 1800 9 || die "another deployment drill is running"

if [ -d "$STATE" ]; then
  log "a previous drill was cut short; cleaning up after it first"
  cleanup
fi
if [ -e /srv/vsplan ] || [ -e /etc/vsplan.env ] || [ -e /etc/systemd/system/vsplan@.service ]; then
  die "a vsplan installation the drill did not make is here (/srv/vsplan, /etc/vsplan.env); not touching it"
fi
for port in 80 443 "${PORTS[@]}"; do
  if ss -Hltn "sport = :$port" | grep -q .; then
    if [ "$port" -lt 1024 ] && pgrep -x nginx >/dev/null; then continue; fi
    die "port $port is in use by something else; the drill needs it"
  fi
done
if ! git -C "$REPO" diff --quiet HEAD; then
  log "note: uncommitted changes are not deployed; the drill deploys $(git -C "$REPO" rev-parse --short HEAD)"
fi

mkdir -p "$MARKS" "$STATE/bin" "$STATE/journal"
chmod 755 "$STATE"
trap summary EXIT

if ! pg_up; then
  log "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
  for _ in $(seq 30); do pg_up && break; sleep 1; done
fi

# The name resolves to this machine for the drill's run.
echo "127.0.0.1 $HOST $HOSTS_MARK" >> /etc/hosts

# TLS (docs section 10): a self-signed certificate for the name, trusted by the checks.
touch "$MARKS/certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" \
  -addext "subjectAltName=DNS:$HOST" -keyout "$KEY" -out "$CERT" 2>/dev/null
chmod 600 "$KEY"

# Python (docs section 4): GitHub, where uv downloads Python from, is out of reach
# here, so the service user gets a Python 3.12+ already on this machine, copied
# where it can read it (a pyenv build under /root cannot be read by others).
base=$("$CHECK_PYTHON" -c 'import sys; print(sys.base_prefix)')
version=$("$CHECK_PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
touch "$MARKS/python"
rm -rf "$DRILL_PYTHON_DIR"
cp -a "$base" "$DRILL_PYTHON_DIR"
chmod -R a+rX "$DRILL_PYTHON_DIR"
DRILL_PYTHON="$DRILL_PYTHON_DIR/bin/python$version"
if ! runuser -u nobody -- "$DRILL_PYTHON" -c 'import ssl, sqlite3, ctypes' 2>/dev/null; then
  # Its library path points back into the original (pyenv builds with --enable-shared).
  command -v patchelf >/dev/null || apt-get install -y -qq patchelf >/dev/null
  patchelf --set-rpath '$ORIGIN/../lib' "$DRILL_PYTHON"
  runuser -u nobody -- "$DRILL_PYTHON" -c 'import ssl, sqlite3, ctypes' \
    || die "the copied Python does not run for another user"
fi
log "Python for the service user: $DRILL_PYTHON ($("$DRILL_PYTHON" --version))"

# The commit under test, as "your copy of vsplan" to clone and to pull upgrades from.
git init --quiet --bare "$STATE/vsplan.git"
git -C "$REPO" push --quiet "$STATE/vsplan.git" HEAD:refs/heads/main
git -C "$STATE/vsplan.git" symbolic-ref HEAD refs/heads/main
chmod -R a+rX "$STATE/vsplan.git"

# Our systemctl first on PATH (systemd is not PID 1 here); nginx's state noted.
ln -sf "$REPO/scripts/deploy_drill/systemctl" "$STATE/bin/systemctl"
if [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then :; else touch "$MARKS/nginx-started"; fi
# The default site goes back at the end if it is enabled now, or if nginx is not
# installed yet (installing it enables the default site; the docs then remove it).
if [ -e /etc/nginx/sites-enabled/default ] || ! command -v nginx >/dev/null; then
  touch "$MARKS/nginx-default-site"
fi
touch "$MARKS/nginx-site" "$MARKS/install"
id vsplan >/dev/null 2>&1 || touch "$MARKS/user"

# --- docs/deploy.md, sections 1 to 11, in one shell ---------------------------

script="$STATE/setup.sh"
{
  echo 'set -euo pipefail'
  echo "export PATH=$STATE/bin:\$PATH CURL_CA_BUNDLE=$CERT"
  echo "# docs 1 (names): the drill's own"
  echo "VSPLAN_HOST=$HOST VSPLAN_REPO=$STATE/vsplan.git VSPLAN_DB=$DB"
  for name in packages user; do
    echo "echo '== docs/deploy.md: $name'"; block "$name"
  done
  echo "# The bare repository belongs to the service user, as a git server's would."
  echo "chown -R vsplan:vsplan $STATE/vsplan.git"
  echo "# docs 4 (Python): the drill's copy"
  echo "PYTHON=$DRILL_PYTHON"
  for name in database code environment install; do
    echo "echo '== docs/deploy.md: $name'"; block "$name"
  done
  echo "echo '== the drill: demo users and their follow-up history, to log in with'"
  echo "runuser -u vsplan -- /srv/vsplan/deploy/manage.sh setup_demo --allow-without-debug"
  for name in services services-check nginx site-check; do
    echo "echo '== docs/deploy.md: $name'"; block "$name"
  done
} > "$script"
log "following docs/deploy.md (sections 1-11): $script"
if bash "$script" > "$STATE/setup.log" 2>&1; then
  record PASS "docs/deploy.md sections 1-11 run as written"
else
  tail -n 40 "$STATE/setup.log"
  record FAIL "docs/deploy.md sections 1-11 run as written" "see the log above"
  exit 1
fi

export PATH="$STATE/bin:$PATH"
env_file_ok=$(stat -c '%U:%G %a' /etc/vsplan.env)
[ "$env_file_ok" = "root:vsplan 640" ] && record PASS "the environment file is root:vsplan 640" \
  || record FAIL "the environment file is root:vsplan 640" "$env_file_ok"

# The installed unit files as systemd reads them (where systemd-analyze exists).
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$STATE/units"
  cp /etc/systemd/system/vsplan@.service "$STATE/units/vsplan@8000.service"
  cp /etc/systemd/system/vsplan-worker.service "$STATE/units/"
  if output=$(systemd-analyze verify "$STATE/units/vsplan@8000.service" "$STATE/units/vsplan-worker.service" 2>&1) \
     && [ -z "$output" ]; then
    record PASS "systemd-analyze verify finds nothing wrong with the units"
  else
    record FAIL "systemd-analyze verify finds nothing wrong with the units" "$output"
  fi
fi

# --- through nginx ------------------------------------------------------------

log "checking the site through nginx"
run_checks site --ports "${PORTS[@]}"

# Both servers took requests (nothing lives in one process).
for unit in "${WEB_UNITS[@]}"; do
  pages=$(grep -c '"logger": "gunicorn.access"' "$STATE/journal/$unit.log" || true)
  [ "${pages:-0}" -gt 5 ] && record PASS "$unit served requests ($pages)" \
    || record FAIL "$unit served requests" "${pages:-0} access log lines"
done

# Settings: an environment file without DJANGO_SETTINGS_MODULE is refused.
grep -v '^DJANGO_SETTINGS_MODULE=' /etc/vsplan.env > "$STATE/no-settings.env"
chown root:vsplan "$STATE/no-settings.env"; chmod 640 "$STATE/no-settings.env"
if output=$(VSPLAN_ENV_FILE="$STATE/no-settings.env" runuser -u vsplan -- /srv/vsplan/deploy/manage.sh check 2>&1); then
  record FAIL "without DJANGO_SETTINGS_MODULE manage.py refuses to start" "it started"
elif grep -q "DJANGO_SETTINGS_MODULE=vsplan.settings.prod" <<<"$output"; then
  record PASS "without DJANGO_SETTINGS_MODULE manage.py refuses to start, naming it"
else
  record FAIL "without DJANGO_SETTINGS_MODULE manage.py refuses to start, naming it" "$(tail -n 1 <<<"$output")"
fi

# --- PostgreSQL restarts --------------------------------------------------------

if [ "${DRILL_PG_RESTART:-1}" = 1 ]; then
  log "restarting PostgreSQL (a few seconds; other users of this cluster see it too)"
  worker_pid=$(unit_pid vsplan-worker.service)
  run_checks pg-restart --pg-version "$PG_VERSION" --worker-pid "$worker_pid"
  worker_log="$STATE/journal/vsplan-worker.service.log"
  if grep -q "lost the database" "$worker_log" && grep -q "the database is back" "$worker_log"; then
    record PASS "the worker logged losing the database and its return"
  else
    record FAIL "the worker logged losing the database and its return" "not in its log"
    grep -v '"gunicorn' "$worker_log" | tail -n 15
  fi
else
  log "DRILL_PG_RESTART=0: PostgreSQL is not restarted"
fi

# --- backups (docs section 13) -------------------------------------------------

log "backup and restore into a second database"
if printf 'set -euo pipefail\nexport PATH=%s/bin:$PATH\nVSPLAN_DB=%s\n%s\n%s\n' \
    "$STATE" "$DB" "$(block backups)" "$(block restore-check)" | bash > "$STATE/backup.log" 2>&1; then
  record PASS "docs/deploy.md section 13 (backup, restore check) runs as written"
  dump=$(ls -t /var/backups/vsplan/vsplan-*.dump | head -n 1)
  modes="$(stat -c '%U %a' /var/backups/vsplan) / $(stat -c '%U %a' "$dump")"
  [ "$modes" = "vsplan 700 / vsplan 600" ] && record PASS "the backup is readable by vsplan only ($modes)" \
    || record FAIL "the backup is readable by vsplan only" "$modes"
  tables=$(runuser -u postgres -- psql -d "$DB" -Atc "select tablename from pg_tables where schemaname = 'public' order by 1")
  differ=()
  for table in $tables; do
    live=$(runuser -u postgres -- psql -d "$DB" -Atc "select count(*) from \"$table\"")
    restored=$(runuser -u postgres -- psql -d "${DB}_restored" -Atc "select count(*) from \"$table\"" 2>/dev/null || echo missing)
    [ "$live" = "$restored" ] || differ+=("$table: $live/$restored")
  done
  [ "${#differ[@]}" -eq 0 ] && record PASS "the restored database has the same rows in all $(wc -w <<<"$tables") tables" \
    || record FAIL "the restored database has the same rows in every table" "${differ[*]}"
else
  tail -n 20 "$STATE/backup.log"
  record FAIL "docs/deploy.md section 13 (backup, restore check) runs as written" "see the log above"
fi

# --- an upgrade (docs section 12) ------------------------------------------------

log "upgrading to a new commit while a client keeps asking for pages"
mark="deploy-drill-upgrade-$(date +%s)"
# Made as the repository's owner (git refuses a repository owned by someone else).
install -d -o vsplan -g vsplan "$STATE/upgrade"
as_vsplan() { runuser -u vsplan -- "$@"; }
as_vsplan git clone --quiet "$STATE/vsplan.git" "$STATE/upgrade"
echo "<!-- $mark -->" | as_vsplan tee -a "$STATE/upgrade/templates/base.html" >/dev/null
echo "/* $mark */" | as_vsplan tee -a "$STATE/upgrade/static/css/app.css" >/dev/null
as_vsplan git -C "$STATE/upgrade" -c user.name=drill -c user.email=drill@localhost \
  commit --quiet -am "Drill: an upgrade"
as_vsplan git -C "$STATE/upgrade" push --quiet origin HEAD:main
before=("$(unit_pid vsplan@8000.service)" "$(unit_pid vsplan@8001.service)" "$(unit_pid vsplan-worker.service)")
"$CHECK_PYTHON" "$REPO/scripts/deploy_drill/checks.py" --host "$HOST" --cafile "$CERT" watch "$STATE/watch.txt" &
echo $! > "$STATE/watch.pid"
sleep 1
if printf 'set -euo pipefail\nexport PATH=%s/bin:$PATH\n%s\n' "$STATE" "$(block upgrade)" \
    | bash > "$STATE/upgrade.log" 2>&1; then
  record PASS "docs/deploy.md section 12 (upgrade) runs as written"
else
  tail -n 20 "$STATE/upgrade.log"
  record FAIL "docs/deploy.md section 12 (upgrade) runs as written" "see the log above"
fi
sleep 1
kill "$(cat "$STATE/watch.pid")"; wait "$(cat "$STATE/watch.pid")" 2>/dev/null || true
rm -f "$STATE/watch.pid"
asked=$(wc -l < "$STATE/watch.txt")
bad=$(grep -vc '^200$' "$STATE/watch.txt" || true)
[ "$bad" -eq 0 ] && [ "$asked" -gt 10 ] && record PASS "no request failed during the upgrade ($asked asked)" \
  || record FAIL "no request failed during the upgrade" "$bad of $asked: $(grep -v '^200$' "$STATE/watch.txt" | sort | uniq -c | tr '\n' ' ')"
after=("$(unit_pid vsplan@8000.service)" "$(unit_pid vsplan@8001.service)" "$(unit_pid vsplan-worker.service)")
for i in 0 1 2; do
  unit=$([ "$i" -lt 2 ] && echo "${WEB_UNITS[$i]}" || echo vsplan-worker.service)
  if [ -n "${after[$i]}" ] && [ "${after[$i]}" != "${before[$i]}" ]; then
    record PASS "the upgrade restarted $unit"
  else
    record FAIL "the upgrade restarted $unit" "pid ${before[$i]} -> ${after[$i]:-none}"
  fi
done
run_checks upgraded "$mark"

# --- logs: one format ------------------------------------------------------------

bad_lines=$("$CHECK_PYTHON" - "$STATE"/journal/vsplan*.log <<'PY'
import json, sys
from datetime import datetime
bad = []
for path in sys.argv[1:]:
    for number, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
        try:
            record = json.loads(line)
            assert datetime.fromisoformat(record["time"]).utcoffset() is not None
            assert {"level", "logger", "message"} <= record.keys()
        except Exception:
            bad.append(f"{path.rsplit('/', 1)[-1]}:{number}: {line.strip()[:100]}")
print("\n".join(bad[:5]))
PY
)
lines=$(cat "$STATE"/journal/vsplan*.log | wc -l)
[ -z "$bad_lines" ] && record PASS "every log line of both servers and the worker is JSON with a time zone ($lines lines)" \
  || record FAIL "every log line is JSON with a time zone" "$bad_lines"

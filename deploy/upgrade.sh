#!/bin/sh
# Upgrade vsplan, as root: the new code, then deploy/install.sh as the service
# user, then a restart of everything that runs the code: each web server in turn
# (nginx sends the requests to the others meanwhile) and the background worker
# (which otherwise renders with the old code).
#   /srv/vsplan/deploy/upgrade.sh            # git pull --ff-only, then install
#   /srv/vsplan/deploy/upgrade.sh --no-pull  # the checkout is already updated
set -eu
cd "$(dirname "$0")/.."
user=$(stat -c %U .)
if [ "${1:-}" != --no-pull ]; then
  runuser -u "$user" -- git pull --ff-only
fi
runuser -u "$user" -- deploy/install.sh
web=$(systemctl list-units --type=service --state=active,failed --plain --no-legend 'vsplan@*' | awk '{print $1}')
if [ -z "$web" ]; then
  echo "upgrade.sh: no vsplan@PORT web server units found" >&2
  exit 1
fi
# nginx skips a server that failed for fail_timeout (5 s, deploy/nginx/vsplan.conf);
# the next server restarts only once this one answers and nginx uses it again, or
# both would be skipped at once and requests answered 502.
pause=${VSPLAN_UPGRADE_PAUSE:-6}
first=yes
for unit in $web; do
  [ "$first" = yes ] || sleep "$pause"
  first=no
  echo "upgrade.sh: restarting $unit"
  systemctl restart "$unit"
  port=${unit#vsplan@}
  port=${port%.service}
  tries=0
  until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "upgrade.sh: $unit does not answer /health/ after 60 s; stopping here" >&2
      exit 1
    fi
    sleep 1
  done
done
echo "upgrade.sh: restarting vsplan-worker"
systemctl restart vsplan-worker
echo "upgrade.sh: done: $(git rev-parse --short HEAD) runs"

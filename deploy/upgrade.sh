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
for unit in $web; do
  echo "upgrade.sh: restarting $unit"
  systemctl restart "$unit"
done
echo "upgrade.sh: restarting vsplan-worker"
systemctl restart vsplan-worker
echo "upgrade.sh: done: $(git rev-parse --short HEAD) runs"

#!/usr/bin/env python
"""Load run: 20 concurrent clients for 60 seconds against gunicorn with PostgreSQL.

    .venv/bin/python bench/load.py [--clients 20] [--seconds 60]

Sets up a throwaway database ``vsplan_bench`` on the local PostgreSQL
(127.0.0.1:5432, user postgres) with the demo installation, serves the app with
gunicorn and production settings (gunicorn.conf.py: 2 × cores + 1 workers), and
runs the clients, each logged in as one of the demo roles, round the main pages:
the plan, an area, My areas, the dashboard and the cycle overview (the head
also saves a status update each round). Prints requests per second, p50 and p95
latency and errors, overall and per page. The clients run on the same machine
and take part of its CPU; the figures are for this machine as a whole.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from pg_restart_fault import Client  # noqa: E402 - the drill's browser-like client

ROOT = Path(__file__).resolve().parent.parent
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "vsplan.settings.prod",
    "DJANGO_SECRET_KEY": "load-run-" + "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "VSPLAN_TRUSTED_PROXIES": "",
    "VSPLAN_SITE_URL": "http://127.0.0.1:8000",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/vsplan_bench",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_STATIC_ROOT": "/tmp/vsplan-bench-static",
    "DJANGO_LOG_LEVEL": "ERROR",
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
}
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "load-run-pw"  # noqa: S105 - a throwaway database


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def set_up() -> int:
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", "vsplan_bench"], check=True)
    subprocess.run(["createdb", *pg, "vsplan_bench"], check=True)
    manage("migrate", "--verbosity", "0")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("setup_demo", "--allow-without-debug")
    manage("shell", "-c",
           "from django.contrib.auth.models import User\n"
           "for u in User.objects.all(): u.set_password('" + PASSWORD + "'); u.save()")  # fmt: skip
    out = subprocess.run([PYTHON, "manage.py", "shell", "-c",
                          "from followup.models import FollowUpCycle;"
                          "print(FollowUpCycle.objects.get(state='open').year)"],
                         cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)  # fmt: skip
    return int(out.stdout.strip().splitlines()[-1])


class LoadClient(Client):
    def login_as(self, username: str) -> None:
        _status, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page = self.post("/login/", {"csrfmiddlewaretoken": token, "username": username,
                                              "password": PASSWORD}, "/login/")  # fmt: skip
        assert status == 200, (username, status)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    year = set_up()
    import pg_restart_fault

    pg_restart_fault.BASE = BASE  # the client class reads the address from its module
    pages = {
        "council": ["/", "/areas/UTB-01/", "/dashboard/", f"/cycles/{year}/"],
        "head": ["/my/", "/areas/UTB-01/", "/", "status"],
        "reader": ["/", "/areas/INF-05/", "/?support_area=INF"],
        "secretariat": [f"/cycles/{year}/", "/dashboard/", "/", f"/cycles/{year}/reports/UTB-01/"],
    }
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "vsplan.wsgi", "-c",
                               "gunicorn.conf.py", "--access-logfile", "/dev/null"],
                              cwd=ROOT, env=ENV)  # fmt: skip
    samples: list[tuple[str, int, float]] = []
    try:
        for _ in range(100):
            if LoadClient().get("/health/")[0] == 200:
                break
            time.sleep(0.2)
        roles = list(pages)
        clients = []
        for n in range(args.clients):
            client = LoadClient()
            role = roles[n % len(roles)]
            client.login_as(role)
            clients.append((client, role))
        stop_at = time.monotonic() + args.seconds

        def run(client: LoadClient, role: str) -> None:
            while time.monotonic() < stop_at:
                for url in pages[role]:
                    start = time.perf_counter()
                    if url == "status":
                        from pg_restart_fault import save_status

                        status = save_status(client, "UTB-01", 0)
                        url = "status update"
                    else:
                        status, _body = client.get(url)
                    samples.append((url, status, time.perf_counter() - start))

        threads = [threading.Thread(target=run, args=c) for c in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait()

    def line(label: str, rows: list) -> str:
        times = sorted(t for _u, _s, t in rows)
        errors = sum(1 for _u, s, _t in rows if s not in (200, 409))
        p95 = times[int(len(times) * 0.95) - 1] if times else 0
        return (f"{label:<28} {len(rows):>6} {len(rows) / elapsed:>8.1f} "
                f"{statistics.median(times) * 1000:>8.0f} {p95 * 1000:>8.0f} {errors:>6}")  # fmt: skip

    print(f"\n{args.clients} clients for {elapsed:.0f} s against gunicorn "
          f"({os.cpu_count()} cores) with PostgreSQL\n")  # fmt: skip
    print(f"{'':<28} {'reqs':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    print(line("all", samples))
    for url in sorted({u for u, _s, _t in samples}):
        print(line(url, [s for s in samples if s[0] == url]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Fault drill: PostgreSQL restarts while people use vsplan.

    .venv/bin/python scripts/pg_restart_fault.py [--down SECONDS]

Run it on demand on a machine whose local PostgreSQL cluster may be stopped
(never during CI: it stops the cluster the tests use). It

1. sets up a throwaway database ``vsplan_fault`` with the KTH plan and a head;
2. serves the app with gunicorn and production settings (2 workers);
3. has clients save status updates and read pages without pause, through the
   real login and the real forms (CSRF, version check);
4. stops PostgreSQL for ``--down`` seconds (default 5), then starts it again;
5. prints what the clients got before, during and after, and checks the data.

It passes when, while the database is down, every request got a clean 503 (no
500, no hang longer than the timeout), requests succeed again after the restart
without restarting the app, and every saved status update is whole: each area's
status version equals its number of updates and their sequence has no gap.
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
DB_URL = "postgres://postgres@127.0.0.1:5432/vsplan_fault"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "vsplan.settings.prod",
    "DJANGO_SECRET_KEY": "fault-drill-" + "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "VSPLAN_TRUSTED_PROXIES": "",
    "VSPLAN_SITE_URL": "http://127.0.0.1:8000",
    "DATABASE_URL": DB_URL,
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_STATIC_ROOT": "/tmp/vsplan-fault-static",
    "DJANGO_LOG_LEVEL": "ERROR",
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    "GUNICORN_WORKERS": "2",
}
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[
        -1
    ]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action,
                    *(["-m", "fast"] if action == "stop" else [])], check=True)  # fmt: skip


def set_up() -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "vsplan_fault"], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "vsplan_fault"], check=True)
    manage("migrate", "--verbosity", "0")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("loaddata", "kth_plan", "--verbosity", "0")
    manage("shell", "-c",
           "from django.contrib.auth.models import User; from areas.models import Department;"
           "u = User.objects.create_user('head', 'head@example.org', 'fault-drill-pw');"
           "Department.objects.get(code='EDO').heads.add(u)")  # fmt: skip


class _BehindTheProxy(DefaultCookiePolicy):
    """The app sees HTTPS (X-Forwarded-Proto, as behind its proxy); send its secure cookies."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Client:
    """A browser-like client: cookies, CSRF token, the real forms, as if behind the proxy."""

    HEADERS = {"X-Forwarded-Proto": "https"}

    def __init__(self):
        self.opener = build_opener(HTTPCookieProcessor(CookieJar(_BehindTheProxy())))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(Request(BASE + path, headers=self.HEADERS))

    def post(self, path: str, data: dict, referer: str) -> tuple[int, str]:
        origin = BASE.replace("http://", "https://")
        headers = self.HEADERS | {"Referer": origin + referer, "Origin": origin}
        return self._open(Request(BASE + path, data=urlencode(data).encode(), headers=headers))

    def _open(self, request: Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (URLError, TimeoutError, ConnectionError) as error:
            return 0, str(error)

    def login(self) -> None:
        _status, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page = self.post("/login/", {"csrfmiddlewaretoken": token, "username": "head",
                                              "password": "fault-drill-pw"}, "/login/")  # fmt: skip
        assert status == 200, status


def save_status(client: Client, key: str, n: int) -> int:
    status, page = client.get(f"/areas/{key}/status/")
    if status != 200:
        return status
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    status, _page = client.post(
        f"/areas/{key}/status/",
        {"csrfmiddlewaretoken": token, "version": version, "status": "ongoing",
         "traffic_light": "green", "progress": f"Drill save {n}"},
        f"/areas/{key}/status/",
    )  # fmt: skip
    return status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--down", type=float, default=5.0)
    args = parser.parse_args()
    set_up()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "vsplan.wsgi",
                               "-c", "gunicorn.conf.py"], cwd=ROOT, env=ENV)  # fmt: skip
    results: list[tuple[float, str, int]] = []
    stop = threading.Event()
    try:
        for _ in range(50):
            if Client().get("/health/")[0] == 200:
                break
            time.sleep(0.2)

        def worker(key: str) -> None:
            client = Client()
            client.login()
            n = 0
            while not stop.is_set():
                n += 1
                results.append((time.monotonic(), "save", save_status(client, key, n)))
                results.append((time.monotonic(), "page", client.get("/my/")[0]))
                results.append((time.monotonic(), "health", client.get("/health/")[0]))

        threads = [threading.Thread(target=worker, args=(k,)) for k in ("UTB-01", "UTB-02")]
        for thread in threads:
            thread.start()
        time.sleep(3)
        down_at = time.monotonic()
        cluster("stop")
        time.sleep(args.down)
        cluster("start")
        up_at = time.monotonic()
        time.sleep(5)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait()

    phases = {"before": Counter(), "down": Counter(), "after": Counter()}
    for at, kind, status in results:
        phase = "before" if at < down_at else "down" if at < up_at + 1 else "after"
        phases[phase][(kind, status)] += 1
    for phase, counts in phases.items():
        print(f"{phase:>6}: " + ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(counts.items())))
    check = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c",
         "from areas.models import DevelopmentArea as A; from django.db.models import Count, Max;"
         "bad = [a.key for a in A.objects.annotate(n=Count('status_updates'), m=Max('status_updates__sequence'))"
         " if a.status_version != a.n or (a.n and a.m != a.n)];"
         "print('inconsistent areas:', bad)"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(check.stdout.strip())
    failures = []
    if any(status == 500 for (_k, status) in phases["down"]):
        failures.append("a 500 while the database was down")
    if not any(status == 503 for (_k, status) in phases["down"]):
        failures.append("no 503 while the database was down")
    if not any(k == "save" and s == 200 for (k, s) in phases["after"]):
        failures.append("no successful save after the restart")
    if any(s not in (200, 409) for (_k, s) in phases["after"]):
        failures.append("errors after the restart")
    if "[]" not in check.stdout:
        failures.append("half-written status updates")
    print("PASS" if not failures else "FAIL: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

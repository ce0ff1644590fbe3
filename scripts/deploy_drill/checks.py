"""The deployment drill's checks through nginx (run by scripts/deploy_drill.sh).

Each subcommand prints one line per check, "PASS name" or "FAIL name: why", and
exits 1 if any failed. Requests go to the site's real name over HTTPS (the
drill's certificate as the only trusted one), from a chosen local address
(127.0.0.2, 127.0.0.3, ...), so that nginx sees different clients.

    checks.py site          the site, logging in, the plan, a PDF, headers, lockout, ...
    checks.py pg-restart    PostgreSQL stopped and started under a PDF being made
    checks.py watch FILE    ask for the login page until stopped; statuses to FILE
    checks.py upgraded MARK the new commit is served
"""

import argparse
import http.client
import io
import json
import re
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

FAILED: list[str] = []
DEMO_PASSWORD = "vsplan-demo"  # noqa: S105 - setup_demo's users, in the drill's database only


def check(name: str, ok: bool, why: str = "") -> bool:
    if ok:
        print(f"PASS {name}", flush=True)
    else:
        print(f"FAIL {name}: {why}", flush=True)
        FAILED.append(name)
    return ok


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Client:
    """One browser: its own local address and cookies."""

    host: str
    cafile: str
    source: str = "127.0.0.9"
    cookies: dict = field(default_factory=dict)

    def request(self, method, path, *, data=None, headers=None, scheme="https", port=None):
        if scheme == "https":
            context = ssl.create_default_context(cafile=self.cafile)
            connection = http.client.HTTPSConnection(
                self.host, port or 443, context=context, timeout=30,
                source_address=(self.source, 0),
            )  # fmt: skip
        else:
            connection = http.client.HTTPConnection(
                self.host, port or 80, timeout=30, source_address=(self.source, 0)
            )
        all_headers = {"Host": self.host, "User-Agent": "vsplan-deploy-drill"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = data if isinstance(data, bytes) else urlencode(data).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = f"https://{self.host}"
            all_headers["Referer"] = f"https://{self.host}{path}"
        all_headers.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=all_headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def csrf_post(self, form_path, path, data, **kwargs):
        """POST a form the way a browser does: the page's CSRF token with the data."""
        page = self.get(form_path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        return self.request("POST", path, data=data, **kwargs)

    def login(self, username, password, **kwargs):
        return self.csrf_post(
            "/login/", "/login/", {"username": username, "password": password}, **kwargs
        )


def cookie_flags(response: Response, name: str) -> str:
    for value in response.headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.lower()
    return ""


def request_pdf(client: Client, *, anew: bool = False) -> str | None:
    """Ask for the programme report of the first cycle listed; its status page's path.
    A report asked for again with unchanged data is served from storage; ``anew`` asks the
    worker to render it again (as the secretariat may)."""
    cycles = client.get("/cycles/")
    year = re.search(r'href="/cycles/(\d{4})/"', cycles.text)
    if not check("the cycles page lists a cycle", cycles.status == 200 and bool(year),
                 f"status {cycles.status}"):  # fmt: skip
        return None
    cycle = f"/cycles/{year.group(1)}/"
    form = {"scope": "programme", "lang": "sv"} | ({"regenerate": "1"} if anew else {})
    response = client.csrf_post(cycle, f"{cycle}pdf/", form)
    location = urlsplit(response.header("Location")).path
    check("asking for a PDF redirects to its status page", response.status == 302
          and "/pdf/" in location, f"status {response.status}, {location!r}")  # fmt: skip
    return location


def wait_for_pdf(client: Client, status_path: str, *, within: float) -> bool:
    """Poll the status page until the download link appears; check the download."""
    from pypdf import PdfReader

    deadline = time.monotonic() + within
    link = None
    while time.monotonic() < deadline:
        page = client.get(status_path)
        link = re.search(r'href="([^"]+/download/)"', page.text)
        if link or "form-errors" in page.text:
            break
        time.sleep(1)
    if not check(f"the worker made the PDF within {within:.0f} s", bool(link),
                 "still not ready" if not link else ""):  # fmt: skip
        return False
    pdf = client.get(link.group(1))
    pages = len(PdfReader(io.BytesIO(pdf.body)).pages) if pdf.body.startswith(b"%PDF") else 0
    check("the PDF downloads as a PDF with pages", pdf.status == 200 and pages > 3
          and pdf.header("Content-Type") == "application/pdf", f"{pdf.status}, {pages} pages")  # fmt: skip
    check("the PDF is Cache-Control: private, no-store",
          pdf.header("Cache-Control") == "private, no-store", pdf.header("Cache-Control"))  # fmt: skip
    return True


def site(args) -> None:
    host = args.host
    anyone = Client(host, args.cafile, source="127.0.0.9")

    # The servers themselves: /health/ over plain HTTP, never redirected.
    for port in args.ports:
        direct = Client("127.0.0.1", args.cafile, source="127.0.0.1")
        response = direct.request("GET", "/health/", scheme="http", port=port,
                                  headers={"Host": f"127.0.0.1:{port}"})  # fmt: skip
        check(f"gunicorn :{port} answers /health/ over HTTP without a redirect",
              response.status == 200 and json.loads(response.body) == {"status": "ok", "database": "ok"},
              f"{response.status} {response.text[:80]!r}")  # fmt: skip

    health = anyone.get("/health/")
    check("the site answers /health/ on its name over HTTPS", health.status == 200,
          f"{health.status}")  # fmt: skip
    plain = anyone.get("/login/", scheme="http")
    check("HTTP is redirected to HTTPS", plain.status == 301
          and plain.header("Location") == f"https://{host}/login/", f"{plain.status} {plain.header('Location')}")  # fmt: skip
    check("nginx does not say its version", re.fullmatch(r"nginx", health.header("Server")) is not None,
          health.header("Server"))  # fmt: skip
    stranger = anyone.get("/login/", headers={"Host": "evil.example.com"})
    check("a host the site does not serve gets 400", stranger.status == 400, f"{stranger.status}")

    # Logging in; the plan; the security headers and cookies.
    user = Client(host, args.cafile, source="127.0.0.4")
    login_page = user.get("/login/")
    check("the login page", login_page.status == 200 and "csrfmiddlewaretoken" in login_page.text,
          f"{login_page.status}")  # fmt: skip
    logged_in = user.login("secretariat", DEMO_PASSWORD)
    check("the secretariat logs in", logged_in.status == 302, f"{logged_in.status}")
    session = cookie_flags(logged_in, "sessionid")
    check("the session cookie is Secure, HttpOnly, SameSite=Lax",
          all(flag in session for flag in ("secure", "httponly", "samesite=lax")), session)  # fmt: skip
    plan = user.get("/", headers={"Accept-Encoding": "identity"})
    followed = (
        plan if plan.status == 200 else user.get(urlsplit(plan.header("Location")).path or "/")
    )
    check("the plan is shown", followed.status == 200 and "UTB-01" in followed.text,
          f"{followed.status}")  # fmt: skip
    headers = followed.headers
    expected = {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    for name, value in expected.items():
        check(f"header {name}", headers.get(name) == value, repr(headers.get(name)))
    csp = headers.get("Content-Security-Policy", "")
    check("header Content-Security-Policy is strict", "default-src 'self'" in csp
          and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp)  # fmt: skip
    pages = [
        user.get(path) for path in ("/", "/dashboard/", "/cycles/", "/my/", "/plan/revisions/")
    ]
    check("the session holds across both servers (five pages in a row)",
          all(p.status in (200, 302) and "/login/" not in p.header("Location") for p in pages),
          str([p.status for p in pages]))  # fmt: skip
    export = user.get("/plan/export.xlsx")
    check("the Excel export is Cache-Control: private, no-store",
          export.status == 200 and export.header("Cache-Control") == "private, no-store",
          f"{export.status} {export.header('Cache-Control')}")  # fmt: skip

    # Static files, from nginx: hashed, immutable, gzip.
    css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', login_page.text)
    if check("the page links the hashed stylesheet", bool(css)):
        static = anyone.get(css.group(1), headers={"Accept-Encoding": "gzip"})
        check("static files are immutable and gzip-compressed", static.status == 200
              and "immutable" in static.header("Cache-Control")
              and static.header("Content-Encoding") == "gzip",
              f"{static.status} {static.header('Cache-Control')} {static.header('Content-Encoding')}")  # fmt: skip

    # An upload over the limit never reaches the app.
    try:
        big = user.request("POST", "/plan/import/", data=b"x" * (12 * 1024 * 1024),
                           headers={"Content-Type": "application/octet-stream"}).status  # fmt: skip
    except OSError as error:  # nginx may answer and close before the body is sent
        big = f"connection closed: {error}"
    check("an upload of 12 MB is refused with 413", big == 413, f"{big}")

    # A PDF made by the worker.
    status_path = request_pdf(user)
    if status_path:
        wait_for_pdf(user, status_path, within=120)

    lockout(args)


def lockout(args) -> None:
    """Five wrong passwords from one client lock that client out, not the user."""
    attacker = Client(args.host, args.cafile, source="127.0.0.2")
    statuses = []
    for number in range(5):
        forged = {"X-Forwarded-For": f"10.9.8.{number}", "X-Forwarded-Proto": "https"}
        statuses.append(attacker.login("council", "wrong-password", headers=forged).status)
    check("five wrong passwords (forged X-Forwarded-For each time) lock that client out",
          statuses == [200, 200, 200, 200, 429], str(statuses))  # fmt: skip
    real = Client(args.host, args.cafile, source="127.0.0.3")
    response = real.login("council", DEMO_PASSWORD)
    check("the real user, from another address, still logs in", response.status == 302,
          f"{response.status}")  # fmt: skip
    locked = attacker.login("council", DEMO_PASSWORD)
    until = re.search(r'<time datetime="([^"]+)">', locked.text)
    check("the locked-out client gets 429 with the lock's end and Retry-After",
          locked.status == 429 and bool(until) and locked.header("Retry-After").isdigit(),
          f"{locked.status} {locked.header('Retry-After')!r}")  # fmt: skip


def pg_restart(args) -> None:
    """PostgreSQL stops under a PDF being made: 503 meanwhile, then all carries on."""
    user = Client(args.host, args.cafile, source="127.0.0.5")
    check("logged in before the restart", user.login("secretariat", DEMO_PASSWORD).status == 302)
    status_path = request_pdf(user, anew=True)  # the same report as before: rendered again
    time.sleep(1.5)  # the worker has taken it, and is rendering
    cluster = [args.pg_version, "main"]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "stop", "-m", "fast"],
                   check=True)  # fmt: skip
    started = time.monotonic()
    try:
        health = user.get("/health/")
        page = user.get("/cycles/")
        check("while PostgreSQL is down: /health/ answers 503", health.status == 503,
              f"{health.status}")  # fmt: skip
        check("while PostgreSQL is down: a page answers 503 with Retry-After",
              page.status == 503 and page.header("Retry-After") == "30",
              f"{page.status} {page.header('Retry-After')!r}")  # fmt: skip
        time.sleep(2)
        check("while PostgreSQL is down: the worker keeps running", _alive(args.worker_pid))
    finally:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "start"], check=True
        )
        print(f"(PostgreSQL was down {time.monotonic() - started:.1f} s)", flush=True)
    for _ in range(60):
        if user.get("/health/").status == 200:
            break
        time.sleep(0.5)
    check("after the restart: /health/ answers 200", user.get("/health/").status == 200)
    check("after the restart: the session still holds", user.get("/cycles/").status == 200)
    if status_path:
        wait_for_pdf(user, status_path, within=150)
    check("after the restart: the worker is the same process", _alive(args.worker_pid))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def watch(args) -> None:
    """Ask for the login page every 0.1 s until SIGTERM; one status per line to the file."""
    client = Client(args.host, args.cafile, source="127.0.0.6")
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    with open(args.file, "w") as out:
        while running:
            try:
                status = client.get("/login/").status
            except OSError as error:
                status = f"error {error}"
            out.write(f"{status}\n")
            out.flush()
            time.sleep(0.1)


def upgraded(args) -> None:
    client = Client(args.host, args.cafile, source="127.0.0.7")
    pages = [client.get("/login/") for _ in range(4)]  # both servers, twice
    check("both servers serve the new templates",
          all(p.status == 200 and args.mark in p.text for p in pages), str([p.status for p in pages]))  # fmt: skip
    css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', pages[0].text)
    static = client.get(css.group(1)) if css else None
    check("the new stylesheet is served", static is not None and static.status == 200
          and args.mark.encode() in static.body, "not found")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--cafile", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    site_parser = sub.add_parser("site")
    site_parser.add_argument("--ports", type=int, nargs="+", default=[8000, 8001])
    restart_parser = sub.add_parser("pg-restart")
    restart_parser.add_argument("--pg-version", required=True)
    restart_parser.add_argument("--worker-pid", type=int, required=True)
    watch_parser = sub.add_parser("watch")
    watch_parser.add_argument("file")
    upgraded_parser = sub.add_parser("upgraded")
    upgraded_parser.add_argument("mark")
    args = parser.parse_args()
    {"site": site, "pg-restart": pg_restart, "watch": watch, "upgraded": upgraded}[args.command](
        args
    )
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()

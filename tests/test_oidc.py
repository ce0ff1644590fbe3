"""Single sign-on against a fake OpenID Connect provider served on localhost.

The provider is a real HTTP server in a thread: vsplan's backend fetches the
token, the signing keys and the user info from it over HTTP, as it would from
a university's identity provider.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.test import override_settings
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "vsplan-test"


class Provider:
    """What the fake provider answers; tests change it to misbehave."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key
        self.nonce = ""
        self.claims = {"sub": "u-1", "email": "Anna.Andersson@example.org", "email_verified": True}
        self.audience = CLIENT_ID

    def id_token(self, issuer: str) -> str:
        now = int(time.time())
        claims = {"iss": issuer, "aud": self.audience, "iat": now, "exp": now + 300,
                  "nonce": self.nonce, **self.claims}  # fmt: skip
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": "k1"})

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [jwk | {"kid": "k1", "alg": "RS256", "use": "sig"}]}


@pytest.fixture
def provider():
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def _json(self, data: dict) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            assert form["client_id"] == [CLIENT_ID] and form["code"] == ["the-code"]
            assert form["code_verifier"]  # PKCE
            issuer = f"http://{self.headers['Host']}"
            self._json({"access_token": "at", "token_type": "Bearer",
                        "id_token": state.id_token(issuer)})  # fmt: skip

        def do_GET(self):  # noqa: N802
            if self.path == "/jwks":
                self._json(state.jwks())
            elif self.path == "/userinfo":
                assert self.headers["Authorization"] == "Bearer at"
                self._json(state.claims)
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    with override_settings(
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/token",
        OIDC_OP_USER_ENDPOINT=f"{base}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{base}/jwks",
    ):
        yield state
    server.shutdown()


def sign_on(client, provider, *, state_override: str | None = None):
    """The browser's part: to the provider and back with a code."""
    start = client.get("/oidc/authenticate/?next=/dashboard/")
    assert start.status_code == 302
    redirect = urlparse(start.url)
    query = parse_qs(redirect.query)
    assert redirect.path == "/authorize" and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    provider.nonce = query["nonce"][0]
    state = state_override or query["state"][0]
    return client.get("/oidc/callback/", {"code": "the-code", "state": state})


@pytest.fixture
def anna(db):
    return User.objects.create_user("anna", "anna.andersson@example.org", "x")


def logged_in_user(client):
    return client.session.get("_auth_user_id")


def test_a_known_address_logs_in_the_local_user(client, provider, anna):
    response = sign_on(client, provider)
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert logged_in_user(client) == str(anna.pk)
    assert User.objects.count() == 1  # nobody created


def test_an_unknown_address_is_refused_and_no_user_is_created(client, provider, db):
    response = sign_on(client, provider)
    assert response.status_code == 302 and response.url == "/login/?sso=failed"
    assert logged_in_user(client) is None and not User.objects.exists()
    page = client.get(response.url).content.decode()
    assert "vsplan har inget aktivt konto med din e-postadress" in page


def test_an_inactive_user_is_refused(client, provider, anna):
    anna.is_active = False
    anna.save()
    assert sign_on(client, provider).url == "/login/?sso=failed"
    assert logged_in_user(client) is None


def test_an_unverified_address_is_refused(client, provider, anna):
    provider.claims["email_verified"] = False
    assert sign_on(client, provider).url == "/login/?sso=failed"
    assert logged_in_user(client) is None


def test_a_token_signed_by_another_key_is_refused(client, provider, anna):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert sign_on(client, provider).url == "/login/?sso=failed"
    assert logged_in_user(client) is None


def test_a_token_for_another_client_is_refused(client, provider, anna):
    provider.audience = "someone-else"
    assert sign_on(client, provider).url == "/login/?sso=failed"
    assert logged_in_user(client) is None


def test_an_expired_token_is_refused(client, provider, anna, monkeypatch):
    def expired(self, issuer):
        now = int(time.time())
        claims = {"iss": issuer, "aud": CLIENT_ID, "iat": now - 900, "exp": now - 600,
                  "nonce": self.nonce, **self.claims}  # fmt: skip
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    monkeypatch.setattr(Provider, "id_token", expired)
    assert sign_on(client, provider).url == "/login/?sso=failed"
    assert logged_in_user(client) is None


def test_a_replayed_nonce_is_refused(client, provider, anna, monkeypatch):
    original = Provider.id_token

    def stale_nonce(self, issuer):
        self.nonce = "not-the-one-vsplan-sent"
        return original(self, issuer)

    monkeypatch.setattr(Provider, "id_token", stale_nonce)
    assert sign_on(client, provider).url == "/login/?sso=failed"
    assert logged_in_user(client) is None


def test_a_forged_state_is_refused(client, provider, anna):
    response = sign_on(client, provider, state_override="forged")
    assert response.status_code in (302, 400)
    assert logged_in_user(client) is None


def test_the_login_page_offers_both_ways(client, db):
    page = client.get("/login/").content.decode()
    assert 'href="/oidc/authenticate/"' in page and "Logga in med single sign-on" in page
    assert 'name="password"' in page

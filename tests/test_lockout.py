"""The login lockout behind a reverse proxy: per account and client address, the address
taken from the proxy's header only when a trusted proxy sent it (issue 21, item 1)."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from vsplan.security import client_address

PROXY = "127.0.0.1"  # the test client's connection address: our nginx
ATTACKER = "203.0.113.9"
REAL_USER = "198.51.100.7"


@pytest.fixture
def behind_proxy(settings):
    settings.VSPLAN_TRUSTED_PROXIES = [PROXY]


def _login(client: Client, password: str, **headers):
    return client.post(reverse("login"), {"username": "council", "password": password}, **headers)


def _lock_out(client: Client, **headers):
    responses = [_login(client, "wrong", **headers) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses][-1] == 429
    return responses[-1]


@pytest.mark.django_db
def test_the_real_user_behind_the_proxy_logs_in_while_an_attacker_is_locked_out(
    behind_proxy, council
):
    # Through the proxy both come from 127.0.0.1; the proxy names each client.
    _lock_out(Client(), HTTP_X_FORWARDED_FOR=ATTACKER)
    real = _login(Client(), PASSWORD, HTTP_X_FORWARDED_FOR=REAL_USER)
    assert real.status_code == 302
    assert _login(Client(), PASSWORD, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.django_db
def test_rotating_forwarded_for_from_an_untrusted_address_counts_as_that_address(
    behind_proxy, council
):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(attacker, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
        assert response.status_code == 200
    fifth = _login(attacker, "wrong", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert fifth.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # ... and the real user, from anywhere else, is not locked out.
    assert _login(Client(REMOTE_ADDR=REAL_USER), PASSWORD).status_code == 302


@pytest.mark.django_db
def test_addresses_a_client_writes_into_the_header_are_ignored_even_through_the_proxy(
    behind_proxy, council
):
    # A proxy that appends (nginx's $proxy_add_x_forwarded_for) keeps what the
    # client sent on the left; the client is the right-most address it added.
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = _login(Client(), "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, {ATTACKER}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_never_believed(council):
    assert settings.VSPLAN_TRUSTED_PROXIES == []
    _lock_out(Client(), HTTP_X_FORWARDED_FOR=ATTACKER)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("127.0.0.1", "203.0.113.9", ["127.0.0.1"], "203.0.113.9"),
        ("127.0.0.1", "203.0.113.9", [], "127.0.0.1"),
        ("10.0.0.7", "203.0.113.9", ["127.0.0.1"], "10.0.0.7"),
        # A chain: a load balancer (10.0.0.0/24) in front of nginx (127.0.0.1).
        (
            "127.0.0.1",
            "1.2.3.4, 203.0.113.9, 10.0.0.5",
            ["127.0.0.1", "10.0.0.0/24"],
            "203.0.113.9",
        ),
        ("127.0.0.1", "not-an-address", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
        ("127.0.0.1", "::ffff:203.0.113.9", ["127.0.0.1"], "203.0.113.9"),
    ],
)
def test_the_client_address_is_the_right_most_one_no_trusted_proxy_added(
    settings, rf, remote, forwarded, trusted, client
):
    settings.VSPLAN_TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


@pytest.mark.django_db
def test_the_lockout_page_says_when_the_lock_ends(council):
    locked = _lock_out(Client())
    html = locked.content.decode()
    assert "För många misslyckade inloggningar" in html
    until = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert until, html
    attempt = AccessAttempt.objects.get()
    from datetime import datetime

    ends = datetime.fromisoformat(until.group(1))
    assert abs((ends - attempt.attempt_time).total_seconds() - 3600) < 1
    assert 3590 <= int(locked["Retry-After"]) <= 3600


@pytest.mark.django_db
def test_attempts_while_locked_do_not_move_the_end(council):
    first = _lock_out(Client())
    again = _login(Client(), PASSWORD)
    assert again.status_code == 429
    pattern = r'<time datetime="([^"]+)">'
    assert re.search(pattern, again.content.decode()).group(1) == re.search(
        pattern, first.content.decode()
    ).group(1)

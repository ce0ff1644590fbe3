"""Small typed readers for settings that come from the environment.

Each reader rejects a malformed value at start-up with a message naming the
variable, rather than letting a typo become a silently insecure default.
`require` checks every variable a settings module cannot do without at once, so
that one start names all that are missing.

The problems are `EnvironmentProblem`s: a mistake in the environment, not in the
code, which `manage.py` and `vsplan/wsgi.py` report in one line, without a traceback.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured


class EnvironmentProblem(ImproperlyConfigured):
    """A variable of the environment is missing or malformed."""


def require(*names: str) -> None:
    """Refuse to go on unless every one of the variables is set (all missing ones named)."""
    missing = [name for name in names if name not in os.environ]
    if missing:
        raise EnvironmentProblem(
            f"Set the environment variable{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (see docs/deploy.md)."
        )


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """The variable's value; without a default a missing variable is an error."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise EnvironmentProblem(f"Set the environment variable {name}.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvironmentProblem(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise EnvironmentProblem(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise EnvironmentProblem(f"Set the environment variable {name}.")
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: list[str], default: str) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise EnvironmentProblem(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_networks(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list of IP addresses or networks (``10.0.0.5``, ``10.0.0.0/24``).

    Without a default a missing variable is an error; an empty value is an empty list.
    """
    items = env_list(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks, not {item!r}."
            ) from None
    return items


def env_url(name: str, default: str | None = None) -> str:
    """An http(s) address such as https://vsplan.example.org (no trailing slash kept)."""
    value = env_str(name, default).strip().rstrip("/")
    if not value.startswith(("https://", "http://")) or " " in value:
        raise ImproperlyConfigured(
            f"{name} must be the site's address, such as https://vsplan.example.org, not {value!r}."
        )
    return value

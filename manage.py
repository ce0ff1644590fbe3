#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsplan.settings.dev")
    from django.core.management import execute_from_command_line

    from vsplan.settings.env import EnvironmentProblem

    try:
        execute_from_command_line(sys.argv)
    except EnvironmentProblem as problem:
        # A mistake in the environment, not in the code: one line says it all.
        sys.exit(f"vsplan: {problem}")


if __name__ == "__main__":
    main()

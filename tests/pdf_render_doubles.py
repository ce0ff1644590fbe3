"""Stand-ins for the PDF renderer, run in its child process (so nothing here imports Django)."""

import gc
import os
import time


def hang(html: str, files: dict) -> bytes:
    time.sleep(60)
    return b""


def crash(html: str, files: dict) -> bytes:
    os._exit(3)


def fail(html: str, files: dict) -> bytes:
    return int("pango exploded")


def freeze_count(html: str, files: dict) -> bytes:
    return str(gc.get_freeze_count()).encode()

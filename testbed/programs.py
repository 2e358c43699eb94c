"""The programs the harnesses run for real, found where Debian and the repository's npm tools put them.

A missing one raises :class:`MissingTool`, whose message names the command
that installs it: the tests fail with it, never skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from testbed.paths import NODE

CHROMIUM = Path("/usr/bin/chromium")


class MissingTool(RuntimeError):
    """A program the harness runs for real is not installed; the message says how to install it."""


def find_nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise MissingTool(
            "nginx not found on PATH or in /usr/sbin: install it with "
            "`apt-get install nginx-light` (`make test` installs it as root via SYSTEM_PACKAGES)"
        )
    return found


def require_chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        raise MissingTool(
            f"{CHROMIUM} not found: install Debian's Chromium with `apt-get install chromium` "
            "(`make test` installs it as root via SYSTEM_PACKAGES)"
        )
    return CHROMIUM


def require_node() -> Path:
    if not os.access(NODE, os.X_OK):
        raise MissingTool(f"{NODE} not found: run `make setup` (npm ci installs Node 22 and playwright-core)")
    return NODE

"""Docker's .dockerignore rules, enough for contract tests.

Patterns are matched against paths relative to the build context with ``*``,
``?`` and ``**``; a path is excluded when it or one of its parent directories
matches; later ``!`` patterns re-include; the last matching pattern wins.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath


def _regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


class DockerIgnore:
    def __init__(self, context: Path) -> None:
        self.rules: list[tuple[bool, re.Pattern[str]]] = []
        path = context / ".dockerignore"
        for line in path.read_text().splitlines() if path.exists() else []:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            cleaned = str(PurePosixPath(line.lstrip("!").strip().lstrip("/")))
            self.rules.append((negated, _regex(cleaned)))

    def excludes(self, relative: str) -> bool:
        parts = PurePosixPath(relative).parts
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for negated, regex in self.rules:
            if any(regex.match(prefix) for prefix in prefixes):
                excluded = not negated
        return excluded

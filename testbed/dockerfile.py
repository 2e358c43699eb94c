"""Just enough of a Dockerfile reader for contract tests: stages, ARG/ENV,
COPY/ADD sources, USER, EXPOSE, WORKDIR and exec-form CMD.

Parser directives and comments are dropped, backslash continuations joined,
and ``$VAR``/``${VAR}`` expanded from ARG defaults and ENV seen so far, as
Docker does with default build arguments.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def expand(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return _VAR.sub(replace, text)


@dataclass(frozen=True)
class Copy:
    keyword: str
    from_stage: str | None
    sources: list[str]
    dest: str


@dataclass
class Stage:
    name: str
    base: str
    args: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    copies: list[Copy] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    workdir: str = "/"
    user: str | None = None
    expose: list[str] = field(default_factory=list)
    cmd: list[str] | None = None


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current.strip():
        lines.append(current)
    return lines


def _pairs(value: str) -> dict[str, str]:
    """KEY=VALUE pairs of ENV or ARG (ARG may have no default)."""
    pairs = {}
    for token in shlex.split(value):
        key, _, val = token.partition("=")
        pairs[key] = val
    return pairs


class Dockerfile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.global_args: dict[str, str] = {}
        self.stages: list[Stage] = []
        for line in _logical_lines(path.read_text()):
            keyword, _, value = line.partition(" ")
            self._apply(keyword.upper(), value.strip())

    def _apply(self, keyword: str, value: str) -> None:
        if keyword == "FROM":
            parts = value.split()
            base = expand(parts[0], self.global_args)
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else str(len(self.stages))
            self.stages.append(Stage(name=name, base=base))
            return
        if not self.stages:
            if keyword == "ARG":
                self.global_args.update(_pairs(value))
            return
        stage = self.stages[-1]
        variables = {**self.global_args, **stage.args, **stage.env}
        if keyword == "ARG":
            for key, default in _pairs(value).items():
                # A bare `ARG NAME` inside a stage inherits the global default.
                stage.args[key] = default or self.global_args.get(key, "")
        elif keyword == "ENV":
            stage.env.update({k: expand(v, variables) for k, v in _pairs(value).items()})
        elif keyword in ("COPY", "ADD"):
            tokens = shlex.split(value)
            flags = {t[2:].partition("=")[0]: t.partition("=")[2] for t in tokens if t[:2] == "--"}
            paths = [expand(t, variables) for t in tokens if t[:2] != "--"]
            stage.copies.append(Copy(keyword, flags.get("from"), paths[:-1], paths[-1]))
        elif keyword == "RUN":
            stage.runs.append(value)
        elif keyword == "WORKDIR":
            stage.workdir = str(Path(stage.workdir, expand(value, variables)))
        elif keyword == "USER":
            stage.user = expand(value, variables)
        elif keyword == "EXPOSE":
            stage.expose.extend(value.split())
        elif keyword == "CMD":
            stage.cmd = json.loads(value)

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.name == name)

    @property
    def final(self) -> Stage:
        return self.stages[-1]

#!/usr/bin/env python3
"""Point every Argo CD Application under argocd/ at one git repository and revision.

Argo CD deploys what is pushed to a git remote, so the Applications must name
the user's fork. This rewrites `spec.source.repoURL` and
`spec.source.targetRevision` of every Application in place, touching no other
line (comments and layout survive), and only writes files whose text changes,
so running it twice is a no-op.

    python3 scripts/set_argocd_source.py --repo-url https://github.com/me/todo.git --revision main
    python3 scripts/set_argocd_source.py            # show the current values

Standard library only: it runs on the user's machine before any venv exists.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "argocd"

# Argo CD accepts HTTPS and SSH remotes (https://..., ssh://..., git@host:path).
REPO_URL_RE = re.compile(r"^(https?://|ssh://|git@)[^\s\"'#]+$")
# A branch, tag, commit SHA or HEAD; no whitespace, no "..", no leading "-".
REVISION_RE = re.compile(r"^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]*$")
# Values written bare must stay plain YAML scalars; anything else is JSON-quoted.
PLAIN_SCALAR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")

FIELD_RE = {
    field: re.compile(rf"^(?P<indent>\s+){field}:[ \t]*(?P<value>.*?)[ \t]*$")
    for field in ("repoURL", "targetRevision")
}
KIND_APPLICATION_RE = re.compile(r"^kind:\s*Application\s*$")
DOC_SEPARATOR_RE = re.compile(r"^---\s*$")


class SourceError(Exception):
    """An Application this tool cannot rewrite safely, or a bad argument."""


@dataclass(frozen=True)
class FieldLine:
    """One `repoURL:` or `targetRevision:` line of an Application."""

    index: int
    indent: str
    value: str


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def _render(value: str) -> str:
    return value if PLAIN_SCALAR_RE.fullmatch(value) else json.dumps(value)


def _application_fields(path: Path, lines: list[str]) -> list[dict[str, FieldLine]]:
    """Find the source fields of each Application document in a file."""
    docs: list[list[int]] = [[]]
    for i, line in enumerate(lines):
        if DOC_SEPARATOR_RE.match(line):
            docs.append([])
        else:
            docs[-1].append(i)

    found = []
    for doc in docs:
        if not any(KIND_APPLICATION_RE.match(lines[i]) for i in doc):
            continue
        fields: dict[str, FieldLine] = {}
        for field, pattern in FIELD_RE.items():
            hits = [(i, m) for i in doc if (m := pattern.match(lines[i]))]
            if len(hits) != 1:
                raise SourceError(
                    f"{path}: an Application needs exactly one `{field}:` line to rewrite "
                    f"(found {len(hits)}); multi-source Applications are not supported"
                )
            i, m = hits[0]
            fields[field] = FieldLine(i, m["indent"], _unquote(m["value"]))
        found.append(fields)
    return found


def _manifests(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise SourceError(f"{directory}: no such directory")
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml"))


def show(directory: Path) -> int:
    """Print each Application's source; fail if they disagree."""
    values = set()
    for path in _manifests(directory):
        for fields in _application_fields(path, path.read_text().splitlines()):
            pair = (fields["repoURL"].value, fields["targetRevision"].value)
            values.add(pair)
            print(f"{path}: repoURL={pair[0]} targetRevision={pair[1]}")
    if len(values) > 1:
        print("error: the Applications disagree; run with --repo-url and --revision", file=sys.stderr)
        return 1
    return 0


def apply(directory: Path, repo_url: str | None, revision: str | None) -> int:
    """Rewrite the source of every Application; return how many files changed."""
    if repo_url is not None and not REPO_URL_RE.fullmatch(repo_url):
        raise SourceError(
            f"--repo-url {repo_url!r} is not a git remote Argo CD can clone: "
            "use https://host/org/repo.git, ssh://... or git@host:org/repo.git"
        )
    if revision is not None and not REVISION_RE.fullmatch(revision):
        raise SourceError(
            f"--revision {revision!r} is not a branch, tag or commit: letters, digits, "
            "'.', '_', '/', '-' only, starting with a letter or digit"
        )
    wanted = {"repoURL": repo_url, "targetRevision": revision}

    # Check every file before writing any, so a bad file leaves all untouched.
    plans = []
    for path in _manifests(directory):
        text = path.read_text()
        lines = text.splitlines(keepends=True)
        applications = _application_fields(path, [line.rstrip("\r\n") for line in lines])
        plans.append((path, text, lines, applications))
    if not any(applications for *_, applications in plans):
        raise SourceError(f"{directory}: no Argo CD Application found")

    changed = 0
    for path, text, lines, applications in plans:
        for fields in applications:
            for field, line in fields.items():
                value = wanted[field]
                if value is not None:
                    ending = lines[line.index][len(lines[line.index].rstrip("\r\n")) :]
                    lines[line.index] = f"{line.indent}{field}: {_render(value)}{ending}"
        new_text = "".join(lines)
        if new_text != text:
            path.write_text(new_text)
            changed += 1
            print(f"updated {path}")
        elif applications:
            print(f"unchanged {path}")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo-url", help="git remote Argo CD clones (your fork)")
    parser.add_argument("--revision", help="branch, tag or commit Argo CD tracks")
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help="folder of Application manifests (argocd/)"
    )
    args = parser.parse_args(argv)
    try:
        if args.repo_url is None and args.revision is None:
            return show(args.dir)
        apply(args.dir, args.repo_url, args.revision)
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Point every Argo CD Application under argocd/ at one git repository and revision.

Argo CD deploys what is pushed to a git remote, so the Applications must name
the user's fork. This rewrites `spec.source.repoURL` and
`spec.source.targetRevision` of every Application in place, touching no other
line (comments and layout survive), and only writes files whose text changes,
so running it twice is a no-op.

    python3 scripts/set_argocd_source.py --repo-url https://github.com/me/todo.git --revision main
    python3 scripts/set_argocd_source.py            # show the current values
    python3 scripts/set_argocd_source.py --check --repo-url URL --revision REV   # validate only

argocd/ is committed, so a URL carrying a credential (user info, an access
token, a query string) is refused: Argo CD reads credentials from a repository
Secret instead.

Standard library only: it runs on the user's machine before any venv exists.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "argocd"

# Argo CD clones HTTPS and SSH remotes: https://..., ssh://... or git@host:path.
URL_SCHEMES = ("https", "http", "ssh")
REMOTE_FORMS = "https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git"
# What git remote URLs are made of; anything else (quotes, backticks, "$", "(")
# is a typo, or shell or YAML smuggled in.
URL_CHAR_RE = re.compile(r"[A-Za-z0-9._~:/@%+\[\]-]")
# An SSH login name: over SSH the key is the credential, not the name.
SSH_USER_RE = re.compile(r"[A-Za-z0-9._-]+")
# The parts of a URL between separators; a token sits whole in one of them.
URL_PART_RE = re.compile(r"[^/:.@?#]+")
# A host as git resolves it: dot-separated DNS labels (an IPv4 address is one too), or [IPv6].
HOST_NAME_RE = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")
IPV6_HOST_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]")
# Access tokens of the git hosts, by their documented prefixes (GitHub, GitLab, Bitbucket).
HOST_TOKEN_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:gh[pousr]_|github_pat_|gl(?:pat|dt|rt|oas|cbt|ptt|ft|imt|agent|soat|ffct)-|ATBB)"
    r"[A-Za-z0-9_-]{16,}"
)
# Generated secrets rather than names people choose: 32+ characters of hex,
# or of base64 that mixes cases and digits the way random text does.
HEX_TOKEN_RE = re.compile(r"(?=.*[0-9])(?=.*[a-fA-F])[0-9a-fA-F]{32,}")
BASE64_TOKEN_RE = re.compile(r"[A-Za-z0-9+=_-]{32,}")
REDACTED = "***"
CREDENTIAL_ADVICE = (
    "\n  argocd/ is committed to git, so the URL must carry no credentials. Give them to Argo CD"
    "\n  in a repository Secret instead: a Secret labelled argocd.argoproj.io/secret-type: repository"
    "\n  in namespace argocd, created by `argocd repo add <url> --username <user> --password <token>`"
    "\n  or with kubectl. Then pass the URL without them."
)
INVISIBLE_NAMES = {" ": "a space", "\t": "a tab", "\n": "a newline", "\r": "a carriage return"}
# Branch, tag and commit names: git's rules for ref names (git check-ref-format)
# over a narrower alphabet.
REVISION_CHAR_RE = re.compile(r"[A-Za-z0-9._/-]")
# Values written bare must stay plain YAML strings; anything else is JSON-quoted.
# A leading digit could read as a number (commit 1234567, tag 2024, 1e10) and
# some words as a boolean or null.
PLAIN_SCALAR_RE = re.compile(r"^[A-Za-z][A-Za-z0-9._/:@+-]*$")
YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})

FIELD_RE = {
    field: re.compile(rf"^(?P<indent>\s+){field}:[ \t]*(?P<value>.*?)[ \t]*$")
    for field in ("repoURL", "targetRevision")
}
KIND_APPLICATION_RE = re.compile(r"^kind:\s*Application\s*$")
DOC_SEPARATOR_RE = re.compile(r"^---\s*$")


class SourceError(Exception):
    """An Application this tool cannot rewrite safely, or a bad argument."""


class CredentialError(SourceError):
    """A repository URL that would put a credential into git."""

    def __init__(self, option: str, url: str, finding: str) -> None:
        super().__init__(f"{option} {redact_url(url)} carries {finding}.{CREDENTIAL_ADVICE}")


def _refuse_invisible(option: str, value: str, what: str) -> None:
    """Refuse whitespace and control characters, echoing nothing of the value."""
    for position, char in enumerate(value, start=1):
        if char.isspace() or not char.isprintable():
            name = INVISIBLE_NAMES.get(char, f"the character U+{ord(char):04X}")
            raise SourceError(
                f"{option} has {name} at character {position}; "
                f"{what} never contains whitespace or a control character"
            )


def _is_token(part: str) -> bool:
    """A git host's access token by its prefix, or a part that looks generated."""
    if HOST_TOKEN_RE.search(part) or HEX_TOKEN_RE.fullmatch(part):
        return True
    if not BASE64_TOKEN_RE.fullmatch(part):
        return False
    upper = sum(c.isupper() for c in part)
    lower = sum(c.islower() for c in part)
    digits = sum(c.isdigit() for c in part)
    return digits >= 2 and upper * 5 >= len(part) and lower * 5 >= len(part)


def _split_user_info(url: str) -> tuple[str, str | None, str]:
    """(scheme, user info or None, rest); the scheme of git@host:path is "".

    User info ends at the last "@", since a password may hold "@" or "/" itself.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    user, at, after = rest.rpartition("@")
    return (scheme, user, after) if at else (scheme, None, rest)


def redact_url(url: str) -> str:
    """The URL with every part that may be a credential replaced by ***: safe to print."""
    scheme, user, rest = _split_user_info(url)
    if user is not None and not (scheme in ("ssh", "") and SSH_USER_RE.fullmatch(user)):
        user = REDACTED
    for mark in "?#":
        if mark in rest:
            rest = rest.split(mark, 1)[0] + mark + REDACTED
    text = URL_PART_RE.sub(
        lambda m: REDACTED if _is_token(m[0]) else m[0], ("" if user is None else f"{user}@") + rest
    )
    return f"{scheme}://{text}" if scheme else text


def check_repo_url(url: str, option: str = "--repo-url") -> None:
    """Refuse a URL Argo CD cannot clone, or one that would put a credential into git.

    Errors name `option` and show the URL redacted, never the secret.
    """
    _refuse_invisible(option, url, "a git remote URL")
    scheme, user, rest = _split_user_info(url)

    def not_a_remote(reason: str) -> SourceError:
        return SourceError(
            f"{option} {redact_url(url)} is not a git remote Argo CD can clone: {reason}; use {REMOTE_FORMS}"
        )

    if scheme and scheme not in URL_SCHEMES:
        raise not_a_remote(f"the scheme must be one of {', '.join(URL_SCHEMES)}")
    if not scheme and not url.startswith("git@"):
        raise not_a_remote("it has no https://, http:// or ssh:// scheme and is not git@host:path")
    if user is not None:
        if scheme in ("http", "https"):
            raise CredentialError(
                option, url, f"user info ({REDACTED}@ before the host), where credentials go"
            )
        if ":" in user:
            raise CredentialError(option, url, "a password in its user info")
        if not SSH_USER_RE.fullmatch(user):
            raise CredentialError(option, url, "user info that is not a login name")
    if "?" in rest:
        raise CredentialError(option, url, f"a query string (?{REDACTED}), where access tokens go")
    if any(_is_token(part) for part in URL_PART_RE.findall(url)):
        raise CredentialError(option, url, f"a token-shaped part ({REDACTED})")
    if "#" in rest:
        raise not_a_remote("a fragment (#...) means nothing to git")
    bad = next((c for c in url if not URL_CHAR_RE.fullmatch(c)), None)
    if bad is not None:
        raise not_a_remote(f"{bad!r} has no place in a git remote URL")
    host, _, path = rest.partition("/" if scheme else ":")
    if not host or not path.strip("/"):
        raise not_a_remote("it needs a host and a repository path")
    name, port = host, ""
    if scheme and host.startswith("["):
        name, _, after = host.partition("]")
        name, port = f"{name}]", after.removeprefix(":")
    elif scheme and ":" in host:
        name, port = host.rsplit(":", 1)
    if not (HOST_NAME_RE.fullmatch(name) or IPV6_HOST_RE.fullmatch(name)):
        raise not_a_remote(f"the host {name!r} is not a DNS name or an IP address")
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise not_a_remote(f"the port {port!r} is not a TCP port (1-65535)")
    decoded = urllib.parse.unquote(path)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        raise not_a_remote("its path escapes a control character (%00-%1F, %7F)")
    if ".." in decoded.split("/"):
        raise not_a_remote("its path climbs out with '..'")


def _ref_name_problem(revision: str) -> str | None:
    """Why `revision` is not a git ref name, or None."""
    if not revision:
        return "it is empty"
    if revision.startswith("-"):
        return "it starts with '-', which reads as an option"
    bad = next((c for c in revision if not REVISION_CHAR_RE.fullmatch(c)), None)
    if bad is not None:
        return f"{bad!r} is not allowed (letters, digits, '.', '_', '/' and '-' only)"
    if ".." in revision:
        return "it contains '..'"
    parts = revision.split("/")
    if not all(parts):
        return "it starts or ends with '/', or has two in a row"
    if any(part.startswith(".") for part in parts):
        return "a part of it starts with '.'"
    if any(part.endswith(".lock") for part in parts):
        return "a part of it ends with '.lock'"
    if revision.endswith("."):
        return "it ends with '.'"
    return None


def check_revision(revision: str, option: str = "--revision") -> None:
    """Refuse anything that is not a branch, tag or commit name."""
    _refuse_invisible(option, revision, "a git ref name")
    problem = _ref_name_problem(revision)
    if problem:
        raise SourceError(f"{option} {revision!r} is not a branch, tag or commit name: {problem}")


def check_source(repo_url: str | None, revision: str | None) -> None:
    """The checks of --repo-url and --revision: the same for a rewrite and for --check."""
    if repo_url is not None:
        check_repo_url(repo_url)
    if revision is not None:
        check_revision(revision)


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
    bare = PLAIN_SCALAR_RE.fullmatch(value) and value.lower() not in YAML_WORDS
    return value if bare else json.dumps(value)


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
    """Print each Application's source, redacted; fail if they disagree or hold a credential."""
    values = set()
    status = 0
    for path in _manifests(directory):
        for fields in _application_fields(path, path.read_text().splitlines()):
            pair = (fields["repoURL"].value, fields["targetRevision"].value)
            values.add(pair)
            print(f"{path}: repoURL={redact_url(pair[0])} targetRevision={pair[1]}")
            try:
                check_repo_url(pair[0], option=f"{path}: repoURL")
            except CredentialError as err:
                print(f"error: {err}\n  Rotate the credential too: git history keeps it.", file=sys.stderr)
                status = 1
    if len(values) > 1:
        print("error: the Applications disagree; run with --repo-url and --revision", file=sys.stderr)
        return 1
    return status


def apply(directory: Path, repo_url: str | None, revision: str | None) -> int:
    """Rewrite the source of every Application; return how many files changed."""
    check_source(repo_url, revision)
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
    parser.add_argument(
        "--check", action="store_true", help="only validate --repo-url and --revision; change no file"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            check_source(args.repo_url, args.revision)
        elif args.repo_url is None and args.revision is None:
            return show(args.dir)
        else:
            apply(args.dir, args.repo_url, args.revision)
    except SourceError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

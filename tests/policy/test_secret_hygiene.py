"""No credential in git, no Secret with data in any rendered output, and .env kept out of git and images.

The scan reads every file `git ls-files` lists. Its patterns are the shapes
real credentials have; the few values in this repository that look like them
are placeholders, allowed by the precise rules in :func:`_allowed_database_url`.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from testbed.dockerignore import DockerIgnore
from testbed.manifests import Manifests
from testbed.paths import DIST, REPO_ROOT
from tests.helm.value_sets import VALUE_SETS
from tests.support.synth import synth_stack


@dataclass(frozen=True)
class Credential:
    """A credential's shape: ``name`` for the report, ``pattern`` to find it."""

    name: str
    pattern: re.Pattern[str]


CREDENTIALS = (
    Credential("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    # OpenAI keys are "sk-" (or "sk-proj-") plus 40+ characters; the tests' "sk-test-9b2e" are not.
    Credential("OpenAI API key", re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{32,}")),
    Credential("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    Credential(
        "AWS secret access key",
        re.compile(r"(?i)aws_secret_access_key\s*[:=]\s*['\"]?[A-Za-z0-9/+]{40}\b"),
    ),
    Credential("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}")),
    Credential("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
)
# postgres:// or postgresql:// (with an optional +driver) with a user and a password.
DATABASE_URL = re.compile(
    r"postgres(?:ql)?(?:\+\w+)?://(?P<user>[^:/@\s'\"]+):(?P<password>[^@\s'\"]+)@(?P<host>[^/:?\s'\"]+)"
)
# Passwords that are placeholders wherever they appear (docs and error messages show the URL's shape).
PLACEHOLDER_PASSWORDS = frozenset({"password", "pass", "secret", "changeme", "..."})
# Hosts that cannot be a real database: loopback, RFC 2606 names and the
# single-label names tests use for a host that never resolves.
_RESERVED_HOST = re.compile(r"^(?:127\.0\.0\.1|localhost|[a-z]+|(?:[a-z0-9-]+\.)*example(?:\.com)?)$")


TEST_FOLDERS = ("tests/", "backend/tests/", "frontend/tests/")


def _allowed_database_url(path: str, match: re.Match[str]) -> bool:
    password, host = match["password"], match["host"]
    # Interpolated from the environment or a variable: the value is not in the file.
    if password.startswith(("$", "{")) or password in PLACEHOLDER_PASSWORDS:
        return True
    # Test fixtures (tests/ and each app's own tests) point at hosts that cannot be a real database.
    return path.startswith(TEST_FOLDERS) and bool(_RESERVED_HOST.match(host))


def _tracked_files() -> list[str]:
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True)
    return [name for name in listing.stdout.decode().split("\0") if name]


def _findings(path: str, text: str) -> list[str]:
    found = [f"{path}: {c.name}" for c in CREDENTIALS if c.pattern.search(text)]
    for match in DATABASE_URL.finditer(text):
        if not _allowed_database_url(path, match):
            found.append(f"{path}: database URL with a password for {match['host']}")
    return found


def test_no_tracked_file_holds_a_credential() -> None:
    files = _tracked_files()
    assert len(files) > 50, "git ls-files listed almost nothing"
    found = []
    for name in files:
        path = REPO_ROOT / name
        if not path.is_file():
            continue  # deleted in the work tree
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        found += _findings(name, data.decode("utf-8", errors="replace"))

    assert found == []


@pytest.mark.parametrize(
    ("path", "text", "credential"),
    [
        ("docs/x.md", "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3Blbn...", "private key"),
        ("docs/x.md", "-----BEGIN RSA " + "PRIVATE KEY-----", "private key"),
        (
            "backend/.env.example",
            "OPENAI_API_KEY=sk-proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5hJ7k",
            "OpenAI API key",
        ),
        ("scripts/x.sh", "export AWS_ACCESS_KEY_ID=AKIA" + "Q3EGRIZ7VJ2K4M5N", "AWS access key id"),
        (
            "scripts/x.sh",
            "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS secret access key",
        ),
        ("README.md", "token ghp_" + "a" * 36, "GitHub token"),
        (
            "README.md",
            "DATABASE_URL=postgresql://neondb_owner:" + "npg_Xy12Ab34@ep-cool.neon.tech/db",
            "database URL",
        ),
        # A real-looking password stays a finding in tests too when the host is real.
        ("tests/x.py", "postgresql://u:" + "Zq8-rT51@db.prod.internal/todo", "database URL"),
    ],
)
def test_the_scan_finds_a_credential(path: str, text: str, credential: str) -> None:
    assert any(credential in finding for finding in _findings(path, text)), _findings(path, text)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("README.md", "postgresql://user:password@host/db?sslmode=require"),
        ("testbed/postgres.py", 'f"postgresql://{SUPERUSER}:{PASSWORD}@127.0.0.1:{self.port}/db"'),
        ("tests/x.py", "postgresql://u:pw-7f3a@db.example/neondb"),
        ("tests/x.py", "postgresql://u:p@db/todo"),
        ("backend/tests/x.py", "postgresql://u:p@db.example.com/todo?sslmode=require"),
        ("tests/x.py", "OPENAI_API_KEY=sk-test-9b2e"),
    ],
)
def test_placeholders_are_not_findings(path: str, text: str) -> None:
    assert _findings(path, text) == []


def _secrets_with_data(objects) -> list[str]:
    return [
        f"{obj['kind']}/{obj['metadata']['name']}"
        for obj in objects
        if obj["kind"] == "Secret" and (obj.get("data") or obj.get("stringData"))
    ]


def test_dist_holds_no_secret_with_data() -> None:
    assert _secrets_with_data(Manifests.from_dir(DIST)) == []


def test_no_helm_render_of_a_value_set_holds_a_secret_with_data(policy_targets: Path) -> None:
    for folder in sorted(policy_targets.glob("helm-*")):
        assert _secrets_with_data(Manifests.from_dir(folder)) == [], folder.name


@pytest.mark.parametrize("value_set", VALUE_SETS, ids=lambda value_set: value_set.id)
def test_the_constructs_never_emit_a_secret(value_set) -> None:
    manifests = synth_stack(**value_set.stack_props())

    assert manifests.of_kind("Secret") == []


def test_the_secret_check_sees_a_secret_with_data() -> None:
    secret = {"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"OPENAI_API_KEY": "x"}}

    assert _secrets_with_data([secret]) == ["Secret/s"]


@pytest.mark.parametrize("path", [".env", ".env.local", "backend/.env", "frontend/.env.production"])
def test_env_files_are_ignored_by_git(path: str) -> None:
    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=REPO_ROOT, check=False)

    assert result.returncode == 0, f"git would track {path}"


def test_no_env_file_is_tracked() -> None:
    tracked = [name for name in _tracked_files() if re.search(r"(^|/)\.env(\.|$)", name)]

    assert [name for name in tracked if not name.endswith(".env.example")] == []


@pytest.mark.parametrize("context", ["backend", "frontend"])
@pytest.mark.parametrize("path", [".env", ".env.local", ".env.production"])
def test_env_files_stay_out_of_both_docker_build_contexts(context: str, path: str) -> None:
    dockerignore = REPO_ROOT / context / ".dockerignore"
    assert dockerignore.is_file(), f"{dockerignore} is missing"

    assert DockerIgnore(REPO_ROOT / context).excludes(path), f"{path} would be sent to the {context} build"

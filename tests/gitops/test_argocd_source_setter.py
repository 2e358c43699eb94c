"""scripts/set_argocd_source.py: one repo URL and revision for every Application."""

from __future__ import annotations

import copy
import difflib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gitops.support import (
    ARGOCD_DIR,
    SETTER,
    argocd_manifest_files,
    load_documents,
    validate_with_argo_cd_schema,
)

sys.path.insert(0, str(SETTER.parent))
import set_argocd_source as setter

FORK = "https://github.com/jane/todo-deploy-kit.git"

# Fake credentials, assembled at run time so that the repository's credential
# scan (tests/policy/test_secret_hygiene.py) never finds one in this file.
PASSWORD = "Tr0ub4dor-and-3"
GITHUB_TOKEN = "ghp_" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbV"
GITHUB_FINE_GRAINED_TOKEN = "github_pat_" + "11ABCDEFG0" + "x7Yz" * 18
GITLAB_TOKEN = "glpat-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn"
HEX_TOKEN = "9f86d081884c7d659a2f" + "eaa0c55ad015a3bf4f1b"
BASE64_TOKEN = "dXNlcjpUMHBT" + "ZWNyZXRQYXNzd29yZDEyMw"


@pytest.fixture
def argocd_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "argocd"
    shutil.copytree(ARGOCD_DIR, dest)
    return dest


def run_setter(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SETTER), "--dir", str(directory), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def run_setter_in_process(capsys: pytest.CaptureFixture[str], directory: Path, *args: str) -> tuple[int, str]:
    """The setter's exit status and everything it printed; fast enough for long tables.

    Options and values come in pairs, joined as `--option=value` so that a value
    starting with "-" reaches the setter's own checks instead of argparse's.
    """
    pairs = [f"{option}={value}" for option, value in zip(args[::2], args[1::2], strict=True)]
    status = setter.main(["--dir", str(directory), *pairs])
    out, err = capsys.readouterr()
    return status, out + err


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in argocd_manifest_files(directory)}


def without_source_pointer(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    del doc["spec"]["source"]["repoURL"]
    del doc["spec"]["source"]["targetRevision"]
    return doc


def test_setter_changes_only_repo_url_and_revision_of_every_application(
    argocd_copy: Path,
) -> None:
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, "--repo-url", FORK, "--revision", "release-1.2")

    assert proc.returncode == 0, proc.stderr
    after = snapshot(argocd_copy)
    assert before.keys() == after.keys()
    assert {"dist/todo.yaml", "helm/todo-frontend.yaml", "gateway/todo-frontend.yaml"} <= after.keys()
    for name in before:
        changed = [
            line
            for line in difflib.ndiff(before[name].splitlines(), after[name].splitlines())
            if line[:2] in ("- ", "+ ")
        ]
        assert sorted(line.split(":")[0].strip("-+ ") for line in changed) == [
            "repoURL",
            "repoURL",
            "targetRevision",
            "targetRevision",
        ], name
    for path in argocd_manifest_files(argocd_copy):
        (doc,) = load_documents(path)
        assert doc["spec"]["source"]["repoURL"] == FORK
        assert doc["spec"]["source"]["targetRevision"] == "release-1.2"
        (original,) = load_documents(ARGOCD_DIR / path.relative_to(argocd_copy))
        assert without_source_pointer(doc) == without_source_pointer(original)


def test_setter_is_idempotent(argocd_copy: Path) -> None:
    run_setter(argocd_copy, "--repo-url", FORK, "--revision", "main")
    first = snapshot(argocd_copy)
    mtimes = {p: p.stat().st_mtime_ns for p in argocd_manifest_files(argocd_copy)}

    proc = run_setter(argocd_copy, "--repo-url", FORK, "--revision", "main")

    assert proc.returncode == 0
    assert snapshot(argocd_copy) == first
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert "updated" not in proc.stdout


def test_setter_with_only_a_revision_keeps_the_repo_url(argocd_copy: Path) -> None:
    run_setter(argocd_copy, "--repo-url", FORK)

    proc = run_setter(argocd_copy, "--revision", "v1.0.0")

    assert proc.returncode == 0, proc.stderr
    for path in argocd_manifest_files(argocd_copy):
        (doc,) = load_documents(path)
        assert doc["spec"]["source"]["repoURL"] == FORK
        assert doc["spec"]["source"]["targetRevision"] == "v1.0.0"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/jane/todo.git",
        "http://git.example.com/jane/todo.git",
        "https://git.example.com:8443/group/subgroup/todo",
        "https://github.com/jane/MyProject2024ReleaseCandidateRepo.git",
        "https://github.com/jane/kubernetes-deployment-configuration-for-the-todo-app.git",
        "git@github.com:jane/todo.git",
        "ssh://git@github.com/jane/todo.git",
        "ssh://git@git.example.com:2222/jane/todo.git",
    ],
)
def test_setter_accepts_remotes_without_credentials(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, url: str
) -> None:
    status, output = run_setter_in_process(capsys, argocd_copy, "--repo-url", url)

    assert status == 0, output
    for path in argocd_manifest_files(argocd_copy):
        assert load_documents(path)[0]["spec"]["source"]["repoURL"] == url


@pytest.mark.parametrize(
    ("url", "secret", "named_part"),
    [
        (f"https://jane:{PASSWORD}@github.com/jane/todo.git", PASSWORD, "user info"),
        (f"http://jane:{PASSWORD}@git.example.com/jane/todo.git", PASSWORD, "user info"),
        (f"https://{GITHUB_TOKEN}@github.com/jane/todo.git", GITHUB_TOKEN, "user info"),
        (f"https://x-access-token:{GITHUB_TOKEN}@github.com/jane/todo.git", GITHUB_TOKEN, "user info"),
        (f"https://oauth2:{GITLAB_TOKEN}@gitlab.com/jane/todo.git", GITLAB_TOKEN, "user info"),
        ("https://deploy-bot@github.com/jane/todo.git", "deploy-bot", "user info"),
        ("https://jane:p/ss@w0rd@github.com/jane/todo.git", "p/ss@w0rd", "user info"),
        (f"ssh://git:{PASSWORD}@github.com/jane/todo.git", PASSWORD, "password"),
        (f"ssh://{GITHUB_TOKEN}@github.com/jane/todo.git", GITHUB_TOKEN, "token"),
        (f"https://github.com/{GITHUB_TOKEN}/jane/todo.git", GITHUB_TOKEN, "token"),
        (f"https://github.com/jane/{GITHUB_FINE_GRAINED_TOKEN}.git", GITHUB_FINE_GRAINED_TOKEN, "token"),
        (f"https://gitlab.com/{GITLAB_TOKEN}/jane/todo.git", GITLAB_TOKEN, "token"),
        (f"git@github.com:jane/{GITHUB_TOKEN}.git", GITHUB_TOKEN, "token"),
        (f"https://git.example.com/{HEX_TOKEN}/jane/todo.git", HEX_TOKEN, "token"),
        (f"https://git.example.com/jane/todo.git/{BASE64_TOKEN}", BASE64_TOKEN, "token"),
        (f"https://github.com/jane/todo.git?access_token={GITHUB_TOKEN}", GITHUB_TOKEN, "query"),
        ("https://gitlab.com/jane/todo.git?private_token=s3cret-42", "s3cret-42", "query"),
    ],
    ids=[
        "password",
        "password-over-http",
        "token-as-user",
        "x-access-token",
        "gitlab-oauth2",
        "user-only",
        "password-with-slash-and-at",
        "ssh-password",
        "ssh-token-as-user",
        "github-token-in-path",
        "github-fine-grained-token-in-path",
        "gitlab-token-in-path",
        "github-token-in-scp-path",
        "hex-token-in-path",
        "base64-token-in-path",
        "access-token-query",
        "private-token-query",
    ],
)
def test_setter_refuses_credentials_in_the_repo_url_without_echoing_them(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, url: str, secret: str, named_part: str
) -> None:
    before = snapshot(argocd_copy)

    status, output = run_setter_in_process(capsys, argocd_copy, "--repo-url", url, "--revision", "main")

    assert status == 2
    assert secret not in output
    assert "error: --repo-url" in output
    assert named_part in output
    assert "***" in output
    assert "argocd.argoproj.io/secret-type: repository" in output
    assert "argocd repo add" in output
    assert snapshot(argocd_copy) == before


@pytest.mark.parametrize(
    "url",
    [
        FORK + " ",
        " " + FORK,
        "https://github.com/jane/to do.git",
        FORK + "\t",
        FORK + "\n",
        FORK + "\nkind: Secret",
        FORK + "\r",
        "https://github.com/jane/\x1b[31mtodo.git",
        FORK + "\x7f",
        FORK + "\u00a0",
        FORK + "\u2028",
    ],
    ids=repr,
)
def test_setter_refuses_whitespace_and_control_characters_in_the_repo_url(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, url: str
) -> None:
    before = snapshot(argocd_copy)

    status, output = run_setter_in_process(capsys, argocd_copy, "--repo-url", url)

    assert status == 2
    assert "error: --repo-url" in output
    assert "whitespace or a control character" in output
    assert "kind: Secret" not in output
    assert set(output) <= {*map(chr, range(32, 127)), "\n"}, "echoed a character of the value"
    assert snapshot(argocd_copy) == before


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://github.com:99999/jane/todo.git", "the port '99999' is not a TCP port (1-65535)"),
        ("https://github.com:0/jane/todo.git", "the port '0' is not a TCP port"),
        ("https://../jane/todo.git", "the host '..' is not a DNS name or an IP address"),
        ("https://-github.com/jane/todo.git", "the host '-github.com' is not a DNS name"),
        (FORK + "%0a", "its path escapes a control character"),
        ("https://github.com/jane/%2e%2e/todo.git", "its path climbs out with '..'"),
    ],
    ids=["port-too-big", "port-zero", "dot-dot-host", "hyphen-host", "escaped-newline", "escaped-dot-dot"],
)
def test_setter_refuses_hosts_ports_and_paths_git_cannot_reach(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, url: str, reason: str
) -> None:
    before = snapshot(argocd_copy)

    status, output = run_setter_in_process(capsys, argocd_copy, "--repo-url", url, "--revision", "main")

    assert status == 2
    assert f"is not a git remote Argo CD can clone: {reason}" in output
    assert snapshot(argocd_copy) == before


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1]:8443/jane/todo.git",
        "http://127.0.0.1:3000/jane/todo.git",
        "ssh://git@github.com:22/jane/todo.git",
    ],
)
def test_setter_accepts_ports_and_ip_hosts(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, url: str
) -> None:
    status, output = run_setter_in_process(capsys, argocd_copy, "--repo-url", url, "--revision", "main")
    assert status == 0, output


@pytest.mark.parametrize(
    "url",
    [
        "",
        "github.com/jane/todo",
        "ftp://github.com/jane/todo.git",
        "https://",
        "https://github.com",
        "https://github.com/jane/todo.git#main",
        'https://github.com/jane/"todo',
        "https://github.com/jane/todo.git`touch pwned`",
        "https://github.com/jane/$(touch)",
    ],
    ids=repr,
)
def test_setter_refuses_what_is_not_a_git_remote(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, url: str
) -> None:
    before = snapshot(argocd_copy)

    status, output = run_setter_in_process(capsys, argocd_copy, "--repo-url", url)

    assert status == 2
    assert "error: --repo-url" in output
    assert snapshot(argocd_copy) == before


@pytest.mark.parametrize(
    "revision", ["main", "release-1.2", "v1.0.0", "feature/login_form", "a1b2c3d", HEX_TOKEN, "HEAD"]
)
def test_setter_accepts_branches_tags_and_commits(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, revision: str
) -> None:
    status, output = run_setter_in_process(capsys, argocd_copy, "--revision", revision)

    assert status == 0, output
    for path in argocd_manifest_files(argocd_copy):
        assert load_documents(path)[0]["spec"]["source"]["targetRevision"] == revision


@pytest.mark.parametrize(
    "revision",
    [
        "",
        "main branch",
        "main\t",
        "main\n",
        "main\nkind: Secret",
        "main\x1b",
        "-main",
        "main..evil",
        "/main",
        "main/",
        "feature//login",
        "feature/.hidden",
        ".hidden",
        "main.",
        "main.lock",
        "feature/x.lock/y",
        "HEAD~1",
        "v1^{}",
        "@{-1}",
        "main@{upstream}",
        "a:b",
        "a*",
        "a?",
        "a[b",
        "a\\b",
        "main`touch pwned`",
        "$(touch pwned)",
    ],
    ids=repr,
)
def test_setter_refuses_what_is_not_a_git_ref_name(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, revision: str
) -> None:
    before = snapshot(argocd_copy)

    status, output = run_setter_in_process(capsys, argocd_copy, "--revision", revision)

    assert status == 2
    assert "error: --revision" in output
    assert "kind: Secret" not in output
    assert snapshot(argocd_copy) == before


@pytest.mark.parametrize("revision", ["1234567", "2024", "1e10", "0x1f", "yes", "No", "on", "true", "null"])
def test_setter_quotes_revisions_yaml_would_read_as_numbers_booleans_or_null(
    capsys: pytest.CaptureFixture[str], argocd_copy: Path, revision: str
) -> None:
    status, output = run_setter_in_process(capsys, argocd_copy, "--revision", revision)

    assert status == 0, output
    for path in argocd_manifest_files(argocd_copy):
        assert f'targetRevision: "{revision}"\n' in path.read_text()
        assert load_documents(path)[0]["spec"]["source"]["targetRevision"] == revision


def test_setter_checks_every_value_before_writing_any(argocd_copy: Path) -> None:
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, "--repo-url", FORK, "--revision", "main..evil")

    assert proc.returncode == 2
    assert proc.stderr.startswith("error: --revision")
    assert proc.stdout == ""
    assert snapshot(argocd_copy) == before


def test_check_validates_without_touching_the_applications(argocd_copy: Path) -> None:
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, "--check", "--repo-url", FORK, "--revision", "dev")

    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert snapshot(argocd_copy) == before


@pytest.mark.parametrize(
    "args",
    [("--repo-url", f"https://jane:{PASSWORD}@github.com/jane/todo.git"), ("--revision", "main..evil")],
    ids=["credentials", "bad-revision"],
)
def test_check_refuses_exactly_what_a_rewrite_refuses(argocd_copy: Path, args: tuple[str, str]) -> None:
    rewrite = run_setter(argocd_copy, *args)
    check = run_setter(argocd_copy, "--check", *args)

    assert check.returncode == rewrite.returncode == 2
    assert check.stderr == rewrite.stderr != ""


def test_setter_without_arguments_hides_credentials_already_in_the_applications(
    argocd_copy: Path,
) -> None:
    # What the setter wrote before it refused credentials: a password in git.
    leaked = argocd_copy / "dist" / "todo.yaml"
    leaked.write_text(leaked.read_text().replace("https://", f"https://jane:{PASSWORD}@", 1))

    proc = run_setter(argocd_copy)

    assert proc.returncode == 1
    assert PASSWORD not in proc.stdout + proc.stderr
    assert "repoURL=https://***@github.com/" in proc.stdout
    assert "todo.yaml: repoURL" in proc.stderr and "Rotate the credential" in proc.stderr


def test_setter_refuses_an_application_it_cannot_rewrite_safely(argocd_copy: Path) -> None:
    extra = argocd_copy / "helm" / "multi.yaml"
    extra.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: multi\n"
        "spec:\n  sources:\n    - repoURL: https://a.example/x.git\n      targetRevision: main\n"
        "    - repoURL: https://b.example/y.git\n      targetRevision: main\n"
    )
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, "--repo-url", FORK)

    assert proc.returncode == 2
    assert "multi.yaml" in proc.stderr and "exactly one `repoURL:`" in proc.stderr
    assert snapshot(argocd_copy) == before


def test_setter_without_arguments_shows_the_current_source(argocd_copy: Path) -> None:
    proc = run_setter(argocd_copy)

    assert proc.returncode == 0
    assert proc.stdout.count("repoURL=") == len(snapshot(argocd_copy))
    assert "targetRevision=main" in proc.stdout


def test_setter_without_arguments_fails_when_applications_disagree(argocd_copy: Path) -> None:
    subprocess.run(
        [sys.executable, str(SETTER), "--dir", str(argocd_copy / "helm"), "--revision", "dev"],
        check=True,
        capture_output=True,
    )

    proc = run_setter(argocd_copy)

    assert proc.returncode == 1
    assert "disagree" in proc.stderr


def test_rewritten_applications_still_validate_against_argo_cd_schema(argocd_copy: Path) -> None:
    run_setter(argocd_copy, "--repo-url", "git@github.com:jane/todo.git", "--revision", "a1b2c3d")

    validation = validate_with_argo_cd_schema(argocd_manifest_files(argocd_copy))

    assert validation.returncode == 0, validation.results

"""scripts/minikube-up.sh: the runbook, exercised through --dry-run and stubbed tools.

No cluster or minikube exists here, so minikube and kubectl are stand-ins on
PATH: for dry runs they fail if called at all; for the "real" runs they record
each call, so the runbook's own logic (secret files, staging, waiting, guards)
runs for real.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from testbed.paths import script
from tests.gitops.support import (
    PLACEHOLDER_REPO_URL,
    REPO_ROOT,
    RUNBOOK,
    SECRET_KEYS,
    RunbookResult,
    make_fixture_checkout,
    run_runbook,
    sandbox_path,
    write_stubs,
)

SECRETS = {
    "DATABASE_URL": "postgresql://u:pw-7f3a@db.example/neondb?sslmode=require",
    "BETTER_AUTH_SECRET": "auth-secret-c41d 'quoted' $NOT_EXPANDED",
    "OPENAI_API_KEY": "sk-test-9b2e",
}
FORK = "https://github.com/jane/todo-deploy-kit.git"
PASSWORD = "Tr0ub4dor-and-3"
# --repo-url/--revision values the runbook must refuse before printing or running anything.
BAD_SOURCES = {
    "password-in-url": ("--repo-url", f"https://jane:{PASSWORD}@github.com/jane/todo.git"),
    "yaml-after-a-newline": ("--repo-url", FORK + "\nkind: Secret"),
    "command-substitution": ("--repo-url", FORK + "$(touch pwned)"),
    "dotdot-revision": ("--revision", "main..evil"),
    "revision-like-an-option": ("--revision", "-main"),
}


def dry_run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    bin_dir = write_stubs(tmp_path / "bin", failing=True)
    return {"PATH": sandbox_path(tmp_path, bin_dir), **SECRETS, **extra}


def stubbed_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    bin_dir = write_stubs(tmp_path / "bin", failing=False)
    return {"PATH": sandbox_path(tmp_path, bin_dir), **SECRETS, **extra}


def assert_in_order(commands: list[str], patterns: list[str]) -> None:
    """Each pattern matches a later command than the one before it."""
    position = 0
    for pattern in patterns:
        for i in range(position, len(commands)):
            if re.search(pattern, commands[i]):
                position = i + 1
                break
        else:
            raise AssertionError(
                f"no command matching {pattern!r} after #{position}:\n" + "\n".join(commands)
            )


def assert_no_secret_values(result: RunbookResult) -> None:
    for key, value in SECRETS.items():
        assert value not in result.stdout + result.stderr, f"{key}'s value was printed"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A throwaway checkout with this repo's scripts/ and argocd/ and stand-in sources."""
    return make_fixture_checkout(tmp_path / "repo")


@pytest.fixture
def dry_run(checkout: Path, tmp_path: Path) -> RunbookResult:
    return run_runbook("--dry-run", root=checkout, env=dry_run_env(tmp_path), tmp_path=tmp_path)


# --- dry run ----------------------------------------------------------------


def test_dry_run_succeeds_on_this_checkout(tmp_path: Path) -> None:
    result = run_runbook("--dry-run", env=dry_run_env(tmp_path), tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.calls == []
    assert [c for c in result.commands if " image build " in c] == [
        f"minikube -p minikube image build -t todo-{name}:latest -f Dockerfile "
        f"{tmp_path}/tmp/todo-runbook.dry-run/todo-{name}"
        for name in ("backend", "frontend")
    ]


def test_dry_run_prints_the_runbook_in_order(dry_run: RunbookResult) -> None:
    assert dry_run.returncode == 0, dry_run.stderr
    assert_in_order(
        dry_run.commands,
        [
            r"^minikube -p minikube start$",
            r"^minikube -p minikube addons enable ingress$",
            r"^kubectl --context minikube -n ingress-nginx rollout status "
            r"deployment/ingress-nginx-controller",
            r"^minikube -p minikube image build -t todo-backend:latest "
            r"-f Dockerfile \S+/todo-backend$",
            r"^minikube -p minikube image build -t todo-frontend:latest "
            r"-f Dockerfile \S+/todo-frontend$",
            r"^kubectl --context minikube create secret generic todo-secrets --namespace=default"
            r"( --from-file=\w+=\S+){3} --dry-run=client -o yaml"
            r" \| kubectl --context minikube apply -f -$",
            r"^kubectl --context minikube create namespace argocd --dry-run=client -o yaml"
            r" \| kubectl --context minikube apply -f -$",
            r"^kubectl --context minikube apply -n argocd --server-side --force-conflicts -f "
            r"https://raw\.githubusercontent\.com/argoproj/argo-cd/v\d+\.\d+\.\d+/manifests/install\.yaml$",
            r"wait --for=condition=Established crd/applications\.argoproj\.io",
            r"-n argocd rollout status statefulset/argocd-application-controller",
            r"^kubectl --context minikube apply -f argocd/dist/todo\.yaml$",
            r"-n argocd get applications\.argoproj\.io/todo "
            r"-o 'jsonpath=\{\.status\.sync\.status\} \{\.status\.health\.status\}'",
            r"^minikube -p minikube ip$",
        ],
    )


def test_dry_run_runs_nothing(dry_run: RunbookResult, tmp_path: Path) -> None:
    assert dry_run.returncode == 0, dry_run.stderr
    assert dry_run.calls == []
    assert list((tmp_path / "tmp").iterdir()) == []
    assert "Dry run: printing every command, running none." in dry_run.stdout


def test_dry_run_prints_how_to_map_todo_local_and_check_status(dry_run: RunbookResult) -> None:
    out = dry_run.stdout
    assert 'echo "<minikube-ip> todo.local" | sudo tee -a /etc/hosts' in out
    assert "minikube -p minikube tunnel" in out
    assert 'echo "127.0.0.1 todo.local" | sudo tee -a /etc/hosts' in out
    assert "kubectl --context minikube -n argocd get applications.argoproj.io" in out
    assert "kubectl --context minikube -n default get pods" in out


def test_dry_run_builds_each_image_from_its_spec_dockerfile_and_context(
    dry_run: RunbookResult,
) -> None:
    for name in ("backend", "frontend"):
        stage = rf"\S+/todo-{name}"
        assert_in_order(
            dry_run.commands,
            [
                rf"^cp -R {name}/\. {stage}/$",
                rf"^cp docker/{name}/Dockerfile {stage}/Dockerfile$",
                rf"^minikube -p minikube image build -t todo-{name}:latest -f Dockerfile {stage}$",
            ],
        )


def test_dry_run_never_prints_secret_values(dry_run: RunbookResult) -> None:
    assert dry_run.returncode == 0
    assert_no_secret_values(dry_run)


def test_dry_run_is_repeatable(checkout: Path, tmp_path: Path, dry_run: RunbookResult) -> None:
    again = run_runbook("--dry-run", root=checkout, env=dry_run_env(tmp_path), tmp_path=tmp_path)
    assert again.stdout == dry_run.stdout


def test_every_cluster_change_is_apply_style(dry_run: RunbookResult) -> None:
    idempotent_kubectl = re.compile(
        r"^kubectl --context minikube (-n \S+ )?"
        r"(apply |wait |rollout status |get |"
        r"create \S+ .*--dry-run=client -o yaml \| kubectl --context minikube apply -f -$)"
    )
    idempotent_minikube = re.compile(r"^minikube -p minikube (start|addons enable \S+|image build .*|ip)$")
    local = re.compile(r"^(mkdir -p|cp) ")
    for command in dry_run.commands:
        assert (
            idempotent_kubectl.match(command) or idempotent_minikube.match(command) or local.match(command)
        ), command


def test_argo_cd_install_is_pinned_to_one_release(dry_run: RunbookResult) -> None:
    urls = re.findall(r"https://raw\.githubusercontent\.com/argoproj/argo-cd/([^/]+)/", dry_run.stdout)
    assert len(set(urls)) == 1
    assert re.fullmatch(r"v3\.\d+\.\d+", urls[0]), urls[0]


def test_image_tag_tags_both_images(checkout: Path, tmp_path: Path) -> None:
    result = run_runbook(
        "--dry-run",
        "--image-tag",
        "2026.11.26-1",
        env=dry_run_env(tmp_path),
        root=checkout,
        tmp_path=tmp_path,
    )
    builds = [c for c in result.commands if " image build " in c]
    assert [b.split(" -t ")[1].split()[0] for b in builds] == [
        "todo-backend:2026.11.26-1",
        "todo-frontend:2026.11.26-1",
    ]
    assert "IMAGE_TAG=2026.11.26-1" in result.stdout


@pytest.mark.parametrize("tag", ["", "-x", "a:b", "a b"])
def test_invalid_image_tag_is_refused(checkout: Path, tmp_path: Path, tag: str) -> None:
    result = run_runbook(
        "--dry-run", "--image-tag", tag, env=dry_run_env(tmp_path), root=checkout, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "not a valid image tag" in result.stderr
    assert result.commands == []


def test_helm_mode_applies_the_chart_applications_instead_of_dist(checkout: Path, tmp_path: Path) -> None:
    result = run_runbook("--dry-run", "--helm", env=dry_run_env(tmp_path), root=checkout, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_in_order(
        result.commands,
        [
            r"-n argocd get applications\.argoproj\.io todo --ignore-not-found -o name$",
            r"^kubectl --context minikube apply "
            r"-f argocd/helm/todo-backend\.yaml -f argocd/helm/todo-frontend\.yaml$",
            r"get applications\.argoproj\.io/todo-backend -o",
            r"get applications\.argoproj\.io/todo-frontend -o",
        ],
    )
    assert not any("argocd/dist" in c for c in result.commands)


def test_gateway_mode_installs_envoy_gateway_and_applies_the_http_route_applications(
    checkout: Path, tmp_path: Path
) -> None:
    result = run_runbook(
        "--dry-run", "--gateway", env=dry_run_env(tmp_path), root=checkout, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert_in_order(
        result.commands,
        [
            r"^minikube -p minikube start$",
            r"^helm --kube-context minikube upgrade --install eg oci://docker\.io/envoyproxy/gateway-helm "
            r"--version v\d+\.\d+\.\d+ --namespace envoy-gateway-system --create-namespace --wait",
            r"^kubectl --context minikube apply -f scripts/minikube-gateway\.yaml$",
            r"wait --for=condition=Programmed gateway/todo",
            r"^kubectl --context minikube apply "
            r"-f argocd/gateway/todo-backend\.yaml -f argocd/gateway/todo-frontend\.yaml$",
        ],
    )
    assert not any("addons enable ingress" in c or "argocd/dist" in c for c in result.commands)
    assert "get gateway todo" in result.stdout


def test_gateway_mode_names_a_missing_helm(checkout: Path, tmp_path: Path) -> None:
    env = dry_run_env(tmp_path)
    (tmp_path / "bin" / "helm").unlink()
    result = run_runbook("--dry-run", "--gateway", env=env, root=checkout, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "helm:     not found on PATH" in result.stderr


def test_dry_run_warns_about_the_placeholder_repository(dry_run: RunbookResult) -> None:
    assert f"points at the placeholder repository {PLACEHOLDER_REPO_URL}" in dry_run.stderr
    assert "make argocd-repo REPO_URL=" in dry_run.stderr


def test_unknown_argument_is_a_usage_error(checkout: Path, tmp_path: Path) -> None:
    result = run_runbook("--dryrun", env=dry_run_env(tmp_path), root=checkout, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "unknown argument: --dryrun" in result.stderr
    assert "Usage:" in result.stderr


# --- refusals -------------------------------------------------------------------


@pytest.mark.parametrize("args", BAD_SOURCES.values(), ids=BAD_SOURCES.keys())
def test_dry_run_refuses_a_bad_source_exactly_like_a_real_run(
    checkout: Path, tmp_path: Path, args: tuple[str, str]
) -> None:
    applications = {p: p.read_text() for p in (checkout / "argocd").rglob("*.yaml")}

    dry = run_runbook("--dry-run", *args, root=checkout, env=dry_run_env(tmp_path), tmp_path=tmp_path)
    real = run_runbook(*args, root=checkout, env=stubbed_env(tmp_path), tmp_path=tmp_path)

    assert (dry.returncode, dry.stdout, dry.stderr) == (real.returncode, real.stdout, real.stderr)
    assert real.returncode == 2
    assert real.stderr.startswith(f"error: {args[0]}")
    assert real.stdout == ""
    assert PASSWORD not in real.stderr and "kind: Secret" not in real.stderr
    assert real.calls == []
    assert not (tmp_path / "pwned").exists()
    assert {p: p.read_text() for p in applications} == applications


def test_missing_minikube_is_named_with_where_to_get_it(checkout: Path, tmp_path: Path) -> None:
    env = dry_run_env(tmp_path)
    (tmp_path / "bin" / "minikube").unlink()

    result = run_runbook("--dry-run", env=env, root=checkout, tmp_path=tmp_path)

    assert result.returncode == 1
    assert "missing prerequisites" in result.stderr
    assert "minikube: not found on PATH" in result.stderr
    assert "https://minikube.sigs.k8s.io/docs/start/" in result.stderr
    assert "kubectl: " not in result.stderr
    assert result.commands == []


def test_every_missing_prerequisite_is_named_at_once(checkout: Path, tmp_path: Path) -> None:
    env = {"PATH": sandbox_path(tmp_path), **SECRETS}

    result = run_runbook("--dry-run", env=env, root=checkout, tmp_path=tmp_path)

    assert result.returncode == 1
    assert "minikube: not found on PATH" in result.stderr
    assert "kubectl:  not found on PATH" in result.stderr
    assert result.commands == []


@pytest.mark.parametrize("missing", SECRET_KEYS)
def test_missing_secret_key_is_refused_by_name_without_values(
    checkout: Path, tmp_path: Path, missing: str
) -> None:
    env = dry_run_env(tmp_path, ENV_FILE=str(tmp_path / "no.env"))
    del env[missing]

    result = run_runbook("--dry-run", env=env, root=checkout, tmp_path=tmp_path)

    assert result.returncode == 1
    assert f"secret key(s) missing or empty: {missing}" in result.stderr
    assert_no_secret_values(result)
    assert result.commands == []


def test_empty_secret_value_counts_as_missing(checkout: Path, tmp_path: Path) -> None:
    env = dry_run_env(tmp_path, OPENAI_API_KEY="", ENV_FILE=str(tmp_path / "no.env"))

    result = run_runbook("--dry-run", env=env, root=checkout, tmp_path=tmp_path)

    assert result.returncode == 1
    assert "missing or empty: OPENAI_API_KEY" in result.stderr


def test_secrets_are_read_from_an_untracked_env_file(tmp_path: Path) -> None:
    checkout = make_fixture_checkout(tmp_path / "repo")
    (checkout / ".env").write_text(
        "# local secrets\n"
        f"DATABASE_URL={SECRETS['DATABASE_URL']}\n"
        f'export BETTER_AUTH_SECRET="{SECRETS["BETTER_AUTH_SECRET"]}"\n'
        f"OPENAI_API_KEY='{SECRETS['OPENAI_API_KEY']}'\n"
    )
    env = dry_run_env(tmp_path)
    for key in SECRET_KEYS:
        del env[key]

    result = run_runbook("--dry-run", root=checkout, env=env, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert_no_secret_values(result)


def test_a_tracked_env_file_is_refused(tmp_path: Path) -> None:
    checkout = make_fixture_checkout(tmp_path / "repo")
    (checkout / ".env").write_text("".join(f"{k}={v}\n" for k, v in SECRETS.items()))
    subprocess.run(["git", "add", "-f", ".env"], cwd=checkout, check=True)

    result = run_runbook("--dry-run", root=checkout, env=dry_run_env(tmp_path), tmp_path=tmp_path)

    assert result.returncode == 1
    assert ".env is tracked by git" in result.stderr
    assert_no_secret_values(result)


def test_real_run_refuses_the_placeholder_repository(checkout: Path, tmp_path: Path) -> None:
    result = run_runbook(env=stubbed_env(tmp_path), root=checkout, tmp_path=tmp_path)

    assert result.returncode == 1
    assert "placeholder repository" in result.stderr
    assert result.calls == []


# --- a full run against stand-in tools --------------------------------------------


def full_run(checkout: Path, tmp_path: Path, *args: str, **env: str) -> RunbookResult:
    (tmp_path / "calls.log").unlink(missing_ok=True)
    (tmp_path / "secret.captured").unlink(missing_ok=True)
    return run_runbook(
        "--repo-url", FORK, "--revision", "main", *args,
        root=checkout, env=stubbed_env(tmp_path, **env), tmp_path=tmp_path,
    )  # fmt: skip


def test_full_run_points_the_applications_at_the_fork(checkout: Path, tmp_path: Path) -> None:
    result = full_run(checkout, tmp_path)

    assert result.returncode == 0, result.stderr
    for path in (checkout / "argocd").rglob("*.yaml"):
        assert f"repoURL: {FORK}" in path.read_text()


def test_full_run_creates_the_secret_with_exact_values_env_before_env_file(
    checkout: Path, tmp_path: Path
) -> None:
    (checkout / ".env").write_text(
        "DATABASE_URL=postgresql://from-dotenv/loses\nOPENAI_API_KEY=sk-from-dotenv\n"
    )
    env = {k: v for k, v in SECRETS.items() if k != "OPENAI_API_KEY"}

    result = run_runbook(
        "--repo-url", FORK,
        root=checkout,
        env={**stubbed_env(tmp_path), **env, "OPENAI_API_KEY": ""},
        tmp_path=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    captured = (tmp_path / "secret.captured").read_text()
    assert captured == (
        f"DATABASE_URL={SECRETS['DATABASE_URL']}\n"
        f"BETTER_AUTH_SECRET={SECRETS['BETTER_AUTH_SECRET']}\n"
        "OPENAI_API_KEY=sk-from-dotenv\n"
    )
    assert "  stdin: kind: Secret" in result.calls
    assert_no_secret_values(result)
    assert "sk-from-dotenv" not in result.stdout + result.stderr


def test_full_run_builds_from_a_staged_context_holding_the_dockerfile(checkout: Path, tmp_path: Path) -> None:
    result = full_run(checkout, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.calls.count("  staged Dockerfile: # backend Dockerfile") == 1
    assert result.calls.count("  staged Dockerfile: # frontend Dockerfile") == 1


def test_full_run_leaves_no_secret_files_behind(checkout: Path, tmp_path: Path) -> None:
    result = full_run(checkout, tmp_path)

    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


def test_second_full_run_repeats_the_same_apply_style_calls(checkout: Path, tmp_path: Path) -> None:
    first = full_run(checkout, tmp_path)
    second = full_run(checkout, tmp_path)

    assert first.returncode == second.returncode == 0, second.stderr

    def sequence(result: RunbookResult) -> list[str]:
        # `create ... | kubectl apply -f -` runs both ends at once: their log
        # lines may interleave, so the piped apply is compared by count.
        calls = [re.sub(r"todo-runbook\.\w+", "X", c) for c in result.calls]
        return [c for c in calls if not c.endswith("apply -f -") and not c.startswith("  stdin:")]

    assert sequence(second) == sequence(first)
    assert second.calls.count("kubectl --context minikube apply -f -") == 2
    assert any(
        c.startswith("kubectl --context minikube apply -f argocd/dist/todo.yaml") for c in second.calls
    )
    assert not any(
        re.match(r"kubectl .*\b(create|replace|delete)\b(?!.*--dry-run=client)", c) for c in second.calls
    )


def test_full_run_prints_the_minikube_ip_for_etc_hosts(checkout: Path, tmp_path: Path) -> None:
    result = full_run(checkout, tmp_path)

    assert 'echo "192.168.49.2 todo.local" | sudo tee -a /etc/hosts' in result.stdout


def test_full_run_refuses_when_the_other_packaging_is_deployed(checkout: Path, tmp_path: Path) -> None:
    result = full_run(checkout, tmp_path, STUB_OTHER_APPS="application.argoproj.io/todo-backend\n")

    assert result.returncode == 1
    assert "the other packaging is deployed (application.argoproj.io/todo-backend)" in result.stderr
    assert "delete -f argocd/helm/" in result.stderr
    assert not any("apply -f argocd/" in c for c in result.calls)


# --- lint ------------------------------------------------------------------------


def test_runbook_is_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is not installed (Debian package `shellcheck`; make test installs it)"
    scripts = sorted((REPO_ROOT / "scripts").glob("*.sh"))
    assert RUNBOOK in scripts
    proc = subprocess.run(
        [shellcheck, "--severity=style", *map(str, scripts)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_minikube_installs_the_argo_cd_release_the_node_tier_runs() -> None:
    installed = re.search(r'^readonly ARGOCD_VERSION="(v[^"]+)"', RUNBOOK.read_text(), re.M)
    assert installed is not None
    assert installed[1] == script("go_tools").ARGOCD.version()

"""The Argo CD Applications: schema-valid, and shaped for what they sync."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gitops.support import (
    ARGOCD_DIR,
    DIST_APPLICATION,
    DIST_DIR,
    HELM_APPLICATIONS,
    REPO_ROOT,
    all_applications,
    argocd_manifest_files,
    load_application,
    load_documents,
    validate_with_argo_cd_schema,
)

IN_CLUSTER = "https://kubernetes.default.svc"
FINALIZER = "resources-finalizer.argocd.argoproj.io"

# Files that make Argo CD's repo-server pick a tool other than plain
# manifests, or override the Application's parameters from inside the path.
TOOL_SWITCHING_FILES = (
    "Chart.yaml",
    "kustomization.yaml",
    "kustomization.yml",
    "Kustomization",
    "*.jsonnet",
    "*.libsonnet",
    ".argocd-source.yaml",
    ".argocd-source-*.yaml",
    "plugin.yaml",
)

# Sync options that make sense for a folder of plain manifests deployed into
# an existing namespace, each with the reason it may appear.
ALLOWED_SYNC_OPTIONS = {
    "PruneLast=true": "delete removed objects after the rest is healthy",
    "FailOnSharedResource=true": "dist/ and Helm Applications must never both own an object",
    "ApplyOutOfSyncOnly=true": "apply only what drifted",
    "ServerSideApply=true": "no 256 KiB last-applied annotation: a ConfigMap up to 1 MiB syncs",
    "Validate=true": "the default: server-side schema validation stays on",
}
# And those that do not: `default` exists and the objects carry no namespace
# (CreateNamespace); no CRDs are shipped (SkipDryRunOnMissingResource);
# Replace/Force recreate objects (selectors are immutable contracts here);
# Validate=false hides broken manifests.
FORBIDDEN_SYNC_OPTIONS = {
    "CreateNamespace=true",
    "SkipDryRunOnMissingResource=true",
    "Replace=true",
    "Force=true",
    "Validate=false",
}

GO_DURATION = re.compile(r"^(\d+(h|m|s))+$")


def _seconds(duration: str) -> int:
    assert GO_DURATION.match(duration), f"{duration!r} is not a Go duration Argo CD accepts"
    factor = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * factor[u] for n, u in re.findall(r"(\d+)(h|m|s)", duration))


APPLICATIONS = all_applications()


@pytest.fixture(params=sorted(APPLICATIONS), ids=str)
def application(request: pytest.FixtureRequest) -> dict[str, Any]:
    return APPLICATIONS[request.param]


def _dist_files() -> list[Path]:
    return sorted(p for p in DIST_DIR.rglob("*") if p.is_file())


# --- schema -----------------------------------------------------------------


def test_every_argocd_object_validates_against_argo_cd_schema() -> None:
    files = argocd_manifest_files()
    validation = validate_with_argo_cd_schema(files)
    assert validation.returncode == 0, validation.results or validation.stderr
    validated = {(r["file"], r["kind"], r["name"]) for r in validation.results}
    assert {(kind, name) for _, kind, name in validated} == {
        ("Application", "todo"),
        ("Application", "todo-backend"),
        ("Application", "todo-frontend"),
    }
    assert all(r["errors"] == [] for r in validation.results)


def test_schema_validator_rejects_a_malformed_application(tmp_path: Path) -> None:
    broken = load_application(DIST_APPLICATION)
    broken["spec"]["source"]["directory"]["recurse"] = "no"
    broken["spec"]["syncPolicy"]["retry"]["limit"] = "five"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(broken))

    validation = validate_with_argo_cd_schema([path])

    assert validation.returncode == 1
    (result,) = validation.results
    assert "/spec/source/directory/recurse must be boolean" in result["errors"]
    assert "/spec/syncPolicy/retry/limit must be integer" in result["errors"]


def test_argocd_folder_holds_only_argo_cd_applications() -> None:
    for path in argocd_manifest_files():
        for doc in load_documents(path):
            assert doc["apiVersion"] == "argoproj.io/v1alpha1", path
            assert doc["kind"] == "Application", path
    # kubectl apply -f argocd/ (not recursive) must not apply both packagings at once.
    assert not list(ARGOCD_DIR.glob("*.yaml")) and not list(ARGOCD_DIR.glob("*.yml"))


# --- every Application --------------------------------------------------------


def test_application_lives_in_argocd_namespace_of_default_project(
    application: dict[str, Any],
) -> None:
    assert application["metadata"]["namespace"] == "argocd"
    assert application["spec"]["project"] == "default"


def test_application_deploys_into_default_namespace_of_this_cluster(
    application: dict[str, Any],
) -> None:
    assert application["spec"]["destination"] == {"server": IN_CLUSTER, "namespace": "default"}


def test_application_syncs_automatically_with_prune_and_self_heal(
    application: dict[str, Any],
) -> None:
    automated = application["spec"]["syncPolicy"]["automated"]
    assert automated["prune"] is True
    assert automated["selfHeal"] is True
    assert automated.get("enabled", True) is True


def test_application_retries_failed_syncs_with_backoff(application: dict[str, Any]) -> None:
    retry = application["spec"]["syncPolicy"]["retry"]
    assert isinstance(retry["limit"], int) and retry["limit"] >= 3
    backoff = retry["backoff"]
    assert isinstance(backoff["factor"], int) and backoff["factor"] >= 2
    first, cap = _seconds(backoff["duration"]), _seconds(backoff["maxDuration"])
    assert 0 < first < cap


def test_application_deletes_its_resources_when_deleted(application: dict[str, Any]) -> None:
    assert application["metadata"]["finalizers"] == [FINALIZER]


def test_application_sync_options_fit_plain_manifests_into_an_existing_namespace(
    application: dict[str, Any],
) -> None:
    options = application["spec"]["syncPolicy"]["syncOptions"]
    assert len(options) == len(set(options))
    assert not set(options) & FORBIDDEN_SYNC_OPTIONS
    assert set(options) <= set(ALLOWED_SYNC_OPTIONS), set(options) - set(ALLOWED_SYNC_OPTIONS)


def test_application_refuses_objects_owned_by_the_other_packaging(
    application: dict[str, Any],
) -> None:
    assert "FailOnSharedResource=true" in application["spec"]["syncPolicy"]["syncOptions"]


def test_application_applies_server_side(application: dict[str, Any]) -> None:
    assert "ServerSideApply=true" in application["spec"]["syncPolicy"]["syncOptions"]


def test_the_environments_application_set_applies_server_side() -> None:
    document = yaml.safe_load(
        (REPO_ROOT / "environments" / "applicationset.yaml").read_text(encoding="utf-8")
    )
    assert "ServerSideApply=true" in document["spec"]["template"]["spec"]["syncPolicy"]["syncOptions"]


def test_application_has_exactly_one_source(application: dict[str, Any]) -> None:
    assert "sources" not in application["spec"]
    assert set(application["spec"]["source"]) >= {"repoURL", "targetRevision", "path"}


def test_all_applications_track_the_same_repository_and_revision() -> None:
    sources = {
        (app["spec"]["source"]["repoURL"], app["spec"]["source"]["targetRevision"])
        for app in APPLICATIONS.values()
    }
    assert len(sources) == 1, sources


# --- the dist/ Application -------------------------------------------------------


def test_dist_application_is_a_plain_directory_source_for_dist() -> None:
    source = load_application(DIST_APPLICATION)["spec"]["source"]
    assert source["path"] == "dist"
    # An explicit directory block pins the tool; no other tool block may compete.
    assert "directory" in source
    assert not {"helm", "kustomize", "plugin"} & set(source)
    assert not set(source["directory"]) & {"jsonnet"}


def test_dist_application_path_exists_and_holds_manifests() -> None:
    # What the manifests hold is tests/test_dist.py's and tests/test_schema.py's.
    path = REPO_ROOT / load_application(DIST_APPLICATION)["spec"]["source"]["path"]
    assert path.is_dir(), f"{path} missing: run make synth"
    assert _dist_files(), f"{path} is empty: Argo CD would prune every object"


def test_dist_holds_nothing_that_switches_argo_cd_tool_detection() -> None:
    offending = [
        p.relative_to(REPO_ROOT)
        for p in DIST_DIR.rglob("*")
        if any(fnmatch.fnmatch(p.name, pattern) for pattern in TOOL_SWITCHING_FILES)
    ]
    assert offending == []


def test_directory_recurse_matches_flat_layout_of_dist() -> None:
    directory = load_application(DIST_APPLICATION)["spec"]["source"]["directory"]
    nested = [p for p in _dist_files() if p.parent != DIST_DIR]
    # Set explicitly either way, so the choice is visible and tested.
    assert "recurse" in directory
    assert directory["recurse"] is bool(nested), (
        f"dist/ nested files {nested}" if nested else "dist/ is flat: recurse must be false"
    )


def test_directory_include_covers_every_file_in_dist() -> None:
    include = load_application(DIST_APPLICATION)["spec"]["source"]["directory"]["include"]
    patterns = include.strip("{}").split(",")
    skipped = [p.name for p in _dist_files() if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert skipped == [], f"Argo CD would silently leave out {skipped}"


def test_dist_objects_leave_the_namespace_to_the_application() -> None:
    for file in _dist_files():
        for doc in load_documents(file):
            assert doc["metadata"].get("namespace", "default") == "default", (file, doc["kind"])


# --- the Helm alternative ------------------------------------------------------


@pytest.mark.parametrize("chart", sorted(HELM_APPLICATIONS))
def test_helm_application_installs_chart_with_release_name_equal_to_chart_name(
    chart: str,
) -> None:
    app = load_application(HELM_APPLICATIONS[chart])
    source = app["spec"]["source"]
    assert app["metadata"]["name"] == chart
    assert source["path"] == f"charts/{chart}"
    assert source["helm"]["releaseName"] == chart
    assert not {"directory", "kustomize", "plugin"} & set(source)


@pytest.mark.parametrize("chart", sorted(HELM_APPLICATIONS))
def test_helm_application_points_at_a_chart_of_that_name(chart: str) -> None:
    chart_yaml = REPO_ROOT / load_application(HELM_APPLICATIONS[chart])["spec"]["source"]["path"]
    chart_yaml /= "Chart.yaml"
    assert chart_yaml.is_file(), f"{chart_yaml} missing"
    assert yaml.safe_load(chart_yaml.read_text())["name"] == chart

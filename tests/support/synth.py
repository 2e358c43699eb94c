"""Synthesizing the library in memory, and the app as its users run it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import cdk8s

from constructs_lib import (
    TodoApp,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
)
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT

# Settings main.py reads; a developer's shell must not leak them into the tests.
APP_SETTINGS = ("IMAGE_TAG",)


def synth_charts(*charts: cdk8s.Chart) -> Manifests:
    """Every object of the given charts."""
    return Manifests(obj for chart in charts for obj in cdk8s.Testing.synth(chart))


def synth_chart(build: Callable[[cdk8s.Chart], object]) -> Manifests:
    """The objects ``build`` adds to an empty chart, e.g. ``lambda chart: TodoBackend(chart, "b")``."""
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test")
    build(chart)
    return synth_charts(chart)


def synth_stack(
    *,
    backend: TodoBackendProps | None = None,
    frontend: TodoFrontendProps | None = None,
    ingress: TodoIngressProps | None = None,
    http_route: TodoHttpRouteProps | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> Manifests:
    """Every object of one Todo stack, synthesized in memory."""
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        backend=backend,
        frontend=frontend,
        ingress=ingress,
        http_route=http_route,
        labels=labels or {},
        annotations=annotations or {},
    )
    return synth_charts(stack.backend_chart, stack.frontend_chart)


def app_env(**settings: str) -> dict[str, str]:
    """This process's environment without the app's settings, then with the given ones."""
    env = {key: value for key, value in os.environ.items() if key not in (*APP_SETTINGS, "CDK8S_OUTDIR")}
    env.update(settings)
    return env


def run_main(outdir: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """``python main.py outdir``, as ``cdk8s synth`` runs it, with the given settings."""
    return subprocess.run(
        [sys.executable, "main.py", str(outdir)],
        cwd=REPO_ROOT,
        env=app_env(**settings),
        check=False,
        capture_output=True,
        text=True,
    )

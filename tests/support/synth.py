"""Synthesizing the library in memory, and the app as its users run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cdk8s

from constructs_lib import TodoBackendProps, TodoFrontendProps, TodoIngressProps, add_todo_charts
from tests.support.manifests import REPO_ROOT, Manifests


def synth_stack(
    *,
    backend: TodoBackendProps | None = None,
    frontend: TodoFrontendProps | None = None,
    ingress: TodoIngressProps | None = None,
) -> Manifests:
    """Every object of one Todo stack, synthesized in memory."""
    app = cdk8s.Testing.app()
    charts = add_todo_charts(app, backend=backend, frontend=frontend, ingress=ingress)
    return Manifests(obj for chart in charts for obj in cdk8s.Testing.synth(chart))


def run_main(outdir: Path) -> None:
    """``python main.py`` into ``outdir``, as ``cdk8s synth`` runs it."""
    env = {**os.environ, "CDK8S_OUTDIR": str(outdir)}
    subprocess.run(
        [sys.executable, "main.py"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )

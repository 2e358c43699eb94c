"""The README's generated sections say what the code says, and its commands exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.manifests import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import readme_sections

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_props_reference_and_runbook_steps_match_the_code() -> None:
    assert readme_sections.rendered_readme(README) == README, "README is stale: run `make docs`"


def test_props_reference_lists_every_prop_with_its_default() -> None:
    assert "| `memory_limit` | required |" in README
    assert "| `replicas` | `1` |" in README
    assert "| `host` | `'todo.local'` |" in README
    assert "| `secret_name` | `'todo-secrets'` |" in README


def test_make_targets_the_readme_names_exist() -> None:
    code = "\n".join(re.findall(r"```(?:sh|console)\n(.*?)```", README, flags=re.DOTALL))
    # In prose (`make x`) and as commands in shell blocks.
    targets = set(re.findall(r"`make ([a-z][a-z0-9-]*)", README))
    targets |= set(re.findall(r"^make ([a-z][a-z0-9-]*)", code, flags=re.MULTILINE))
    assert {"synth", "test", "e2e", "bench", "docs", "minikube-up", "argocd-repo"} <= targets
    for target in targets:
        result = subprocess.run(
            ["make", "-n", target], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"make {target}: {result.stderr}"


def test_the_readmes_construct_example_synthesizes(tmp_path: Path) -> None:
    # The first Python block: the "Use the constructs in your own cdk8s app" example.
    example = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)[0]
    (tmp_path / "app.py").write_text(example, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "dist" / "todo.k8s.yaml").read_text(encoding="utf-8")
    assert "image: registry.example.com/todo/backend:1.4.2" in manifest
    assert "host: todo.example.com" in manifest


def test_the_readmes_option_examples_build_valid_props() -> None:
    # The Security section's snippets, run in order in one namespace as a reader would.
    namespace: dict[str, object] = {}
    for snippet in re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)[1:]:
        exec(snippet, namespace)
    assert "ZeroDowntimeRollout" in namespace

"""The docs: their generated sections say what the code says, their examples run, their commands exist."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import docs_sections  # noqa: E402

from tests.support.docs import python_blocks, run_examples  # noqa: E402
from tests.support.pyright import run_pyright  # noqa: E402

PAGES = sorted([REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md", *(REPO_ROOT / "docs").glob("*.md")])
PAGES_WITH_PYTHON = [page for page in PAGES if "```python\n" in page.read_text(encoding="utf-8")]


def test_generated_sections_are_what_the_code_says_now() -> None:
    stale = docs_sections.stale_pages()
    assert stale == [], f"{', '.join(stale)}: generated sections are stale; run `make docs`"


# What a page's examples write, checked beyond their running at all.
WRITTEN = {
    "README.md": {
        "todo-backend.k8s.yaml": (
            "image: registry.example.com/todo/backend:1.4.2",
            "imagePullPolicy: IfNotPresent",
            "CORS_ORIGINS: http://todo.example.com",
        ),
        "todo-frontend.k8s.yaml": ("host: todo.example.com",),
    },
    "constructs.md": {
        "todo-backend.k8s.yaml": ("CORS_ORIGINS: https://todo.example.com", "imagePullPolicy: IfNotPresent"),
        "todo-frontend.k8s.yaml": ("image: registry.example.com/team/todo-frontend:1.2.3",),
    },
}
# What the production examples must not write: Minikube's settings.
MINIKUBE_SETTINGS = ("Never", ":latest", "todo.local")


@pytest.mark.parametrize("page", PAGES_WITH_PYTHON, ids=lambda page: page.name)
def test_python_examples_run_in_order(page: Path, tmp_path: Path) -> None:
    result = run_examples(page, tmp_path)
    assert result.returncode == 0, f"{page.name}:\n{result.stderr}"
    for name, expected in WRITTEN.get(page.name, {}).items():
        manifest = (tmp_path / "dist" / name).read_text(encoding="utf-8")
        assert [text for text in expected if text not in manifest] == [], name
    if page.name in WRITTEN:
        for manifest_path in (tmp_path / "dist").glob("*.yaml"):
            manifest = manifest_path.read_text(encoding="utf-8")
            assert [text for text in MINIKUBE_SETTINGS if text in manifest] == [], manifest_path.name


@pytest.mark.parametrize("page", PAGES_WITH_PYTHON, ids=lambda page: page.name)
def test_python_examples_are_formatted(page: Path) -> None:
    for number, block in enumerate(python_blocks(page), 1):
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "ruff"),
                "format",
                "--diff",
                "--stdin-filename",
                "example.py",
                "-",
            ],
            input=block,
            cwd=REPO_ROOT,  # the project's ruff settings
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{page.name}, python block {number}:\n{result.stdout}{result.stderr}"


def test_make_targets_the_docs_name_exist() -> None:
    text = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL))
    # In prose (`make x`) and as commands in shell blocks.
    targets = set(re.findall(r"`make ([a-z][a-z0-9-]*)", text))
    targets |= set(re.findall(r"^make ([a-z][a-z0-9-]*)", shell, flags=re.MULTILINE))
    assert targets
    result = subprocess.run(
        ["make", "-n", *sorted(targets)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES_WITH_PYTHON, ids=lambda page: page.name)
def test_python_examples_type_check_strictly(page: Path, tmp_path: Path) -> None:
    # As a reader's own project would check them: mypy --strict on the examples,
    # the library (found on MYPYPATH, as its editable install hides it) taken as typed.
    script = tmp_path / "examples.py"
    script.write_text("\n".join(python_blocks(page)), encoding="utf-8")
    mypy = [str(Path(sys.executable).parent / "mypy"), "--strict", "--follow-imports=silent"]
    result = subprocess.run(
        [*mypy, "--cache-dir", str(tmp_path / "mypy-cache"), script.name],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{page.name}:\n{result.stdout}{result.stderr}"


@pytest.mark.slow
def test_python_examples_pass_pyright_strict(tmp_path: Path) -> None:
    # Each page's examples as a reader's module; the library found beside them, as in their project.
    for page in PAGES_WITH_PYTHON:
        # Prefixed: a module named after a page (constructs.md) would shadow a package.
        (tmp_path / f"page_{page.stem.replace('-', '_')}.py").write_text(
            "\n".join(python_blocks(page)), encoding="utf-8"
        )
    config = {"extraPaths": [str(REPO_ROOT)], "typeCheckingMode": "strict", "pythonVersion": "3.11"}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")

    report = run_pyright(cwd=tmp_path)

    problems = [
        f"{Path(d['file']).name}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
    ]
    assert report["summary"]["filesAnalyzed"] == len(PAGES_WITH_PYTHON)
    assert problems == []

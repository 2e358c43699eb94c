"""No dead references: every link and repository path the docs, `make help` and the scripts' usage name exists."""

from __future__ import annotations

import ast
import glob
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [
        *(REPO_ROOT / name for name in ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")),
        *(REPO_ROOT / "docs").glob("*.md"),
    ]
)
PAGES = [page for page in PAGES if page.exists()]
SCRIPTS = sorted([*(REPO_ROOT / "scripts").glob("*.py"), *(REPO_ROOT / "benchmarks").glob("*.py")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", flags=re.DOTALL | re.MULTILINE)


def _top_level_names() -> set[str]:
    """The first path component of every file git has or would add (tracked or not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {line.split("/", 1)[0] for line in listed}


TOP_LEVEL = _top_level_names()
# A path written from the repository root: a top-level name, then more segments,
# not glued to a longer word or path before it.
PATH = re.compile(
    r"(?<![\w./~$}@-])((?:"
    + "|".join(re.escape(name) for name in sorted(TOP_LEVEL, key=len, reverse=True))
    + r")(?:/[\w.@<>*+-]*)*)(?![\w-])"
)


def repo_paths(text: str) -> set[str]:
    """The repository paths named in ``text``, as written (placeholders like ``<env>`` kept)."""
    found = set()
    for match in PATH.finditer(text):
        path = match[1].rstrip(".,:")
        if "/" in path and "..." not in path:
            found.add(path)
    return found


def path_exists(path: str) -> bool:
    pattern = re.sub(r"<[^>]*>", "*", path)
    if "*" in pattern:
        return bool(glob.glob(str(REPO_ROOT / pattern)))
    return (REPO_ROOT / pattern).exists()


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings of a page."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", markdown), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchor, number = slug, 0
        while anchor in anchors:
            number += 1
            anchor = f"{slug}-{number}"
        anchors.add(anchor)
    return anchors


def make_help() -> str:
    return subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout


def script_usage(script: Path) -> str:
    """What a script tells its user: its docstring (Python) or its --help (shell)."""
    if script.suffix == ".py":
        return ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    return subprocess.run(
        ["bash", str(script), "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    ).stdout


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO_ROOT)))
def test_relative_links_lead_to_a_file_and_heading(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    dead = []
    for target in LINK.findall(FENCE.sub("", text)):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists():
            dead.append(target)
            continue
        headings = github_anchors(linked.read_text(encoding="utf-8")) if linked.suffix == ".md" else None
        if anchor and headings is not None and anchor not in headings:
            dead.append(target)
    assert dead == [], f"{page.name}: dead links {dead}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO_ROOT)))
def test_repository_paths_in_the_docs_exist(page: Path) -> None:
    # Commands in code blocks name files they create (a staged Dockerfile, .env); prose names what is there.
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    assert sorted(path for path in repo_paths(text) if not path_exists(path)) == []


def test_repository_paths_in_make_help_exist() -> None:
    assert sorted(path for path in repo_paths(make_help()) if not path_exists(path)) == []


@pytest.mark.parametrize(
    "script", [*SCRIPTS, *(REPO_ROOT / "scripts").glob("*.sh")], ids=lambda script: script.name
)
def test_repository_paths_in_script_usage_exist(script: Path) -> None:
    assert sorted(path for path in repo_paths(script_usage(script)) if not path_exists(path)) == []


def test_the_path_finder_finds_what_a_reader_would_follow() -> None:
    text = "see `docs/gitops.md`, environments/dist/<env>/ and ~/.cache/x, not todo-backend/x or a/docs/y"
    assert repo_paths(text) == {"docs/gitops.md", "environments/dist/<env>/"}


def test_every_guide_is_linked_from_the_readme() -> None:
    readme = REPO_ROOT / "README.md"
    linked = {(REPO_ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(readme.read_text())}
    guides = {page.resolve() for page in (REPO_ROOT / "docs").glob("*.md")} | {REPO_ROOT / "CONTRIBUTING.md"}
    assert sorted(str(page.relative_to(REPO_ROOT)) for page in guides - linked) == []

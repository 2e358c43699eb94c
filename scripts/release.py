"""Cut and build a release: the library's sdist and wheel, the packaged charts, the release notes.

    python scripts/release.py cut 0.2.0        # set the version everywhere, date the CHANGELOG section
    python scripts/release.py build [--out DIR] # what `make release` runs
    python scripts/release.py version           # the version the tree holds

One version, ``__version__`` in constructs_lib/__init__.py, is the wheel's (pyproject.toml
reads it) and every chart's ``version``; ``cut`` writes it into the charts, their
dependencies on each other and their Chart.lock, and turns ``## Unreleased`` into the
version's section. ``build`` refuses a dirty work tree, a version the CHANGELOG does not
describe and charts at another version, then writes into ``--out`` (default release/):

    python: todo_deploy_kit-<v>.tar.gz, todo_deploy_kit-<v>-py3-none-any.whl   (twine check)
    charts: todo-common-<v>.tgz, todo-backend-<v>.tgz, todo-frontend-<v>.tgz, todo-<v>.tgz   (helm package)
    RELEASE_NOTES.md                                                             (the CHANGELOG section)
"""

from __future__ import annotations

import argparse
import ast
import datetime
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = ROOT / "constructs_lib" / "__init__.py"
CHANGELOG = ROOT / "CHANGELOG.md"
CHARTS = ROOT / "charts"
# The library chart first: the others package it.
# In dependency order: each chart's dependencies come before it.
CHART_NAMES = ("todo-common", "todo-backend", "todo-frontend", "todo")
# Semantic versioning's core, with an optional pre-release (0.2.0, 1.0.0-rc.1).
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?")
_SECTION = re.compile(r"^## (?P<title>.+)$", re.M)
# Pages whose install lines name the version: `pip install todo-deploy-kit==...`, `helm install ... --version`.
DOCS_PINNING_THE_VERSION = ("docs/constructs.md", "docs/helm.md")
PINNED = re.compile(r"todo-deploy-kit(?:\[node\])?==(\S+?)'|todo-deploy-kit/todo-\w+ --version (\S+)")


class ReleaseError(Exception):
    """Why a release cannot be cut or built; the message says what to do."""


def version() -> str:
    """``__version__`` of constructs_lib, read without importing the library."""
    for node in ast.parse(VERSION_FILE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise ReleaseError(f"{VERSION_FILE.relative_to(ROOT)} sets no __version__")


def changelog_sections(text: str) -> dict[str, str]:
    """``{heading's first word: body}`` of the CHANGELOG's ``## `` sections (``Unreleased``, ``0.2.0``)."""
    headings = list(_SECTION.finditer(text))
    sections = {}
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        sections[heading["title"].split()[0]] = text[heading.end() : end].strip()
    return sections


def chart_versions() -> dict[str, str]:
    """Each chart's ``version`` as its Chart.yaml writes it."""
    found = {}
    for name in CHART_NAMES:
        match = re.search(
            r"^version: (\S+)$", (CHARTS / name / "Chart.yaml").read_text(encoding="utf-8"), re.M
        )
        if match is None:
            raise ReleaseError(f"charts/{name}/Chart.yaml has no version")
        found[name] = match[1]
    return found


def _run(*command: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReleaseError(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def cut(new: str, *, today: datetime.date) -> None:
    """Set ``new`` as the version everywhere and turn ``## Unreleased`` into its section."""
    if not _SEMVER.fullmatch(new):
        raise ReleaseError(f"version {new!r}: must be a semantic version such as 0.2.0 or 1.0.0-rc.1")
    text = CHANGELOG.read_text(encoding="utf-8")
    if new in changelog_sections(text):
        raise ReleaseError(f"CHANGELOG.md already has a section for {new}")
    if not changelog_sections(text).get("Unreleased"):
        raise ReleaseError("CHANGELOG.md's ## Unreleased section is empty: there is nothing to release")
    CHANGELOG.write_text(
        text.replace("## Unreleased", f"## Unreleased\n\n## {new} ({today.isoformat()})", 1), encoding="utf-8"
    )
    old = version()
    VERSION_FILE.write_text(
        VERSION_FILE.read_text(encoding="utf-8").replace(f'__version__ = "{old}"', f'__version__ = "{new}"'),
        encoding="utf-8",
    )
    for name in CHART_NAMES:
        chart = CHARTS / name / "Chart.yaml"
        text = re.sub(
            r"^version: \S+$", f"version: {new}", chart.read_text(encoding="utf-8"), count=1, flags=re.M
        )
        # The dependencies on this repository's charts move with it.
        text = re.sub(r"(- name: todo-(?:common|backend|frontend)\n\s+version: )\S+", rf"\g<1>{new}", text)
        chart.write_text(text, encoding="utf-8")
    for name in CHART_NAMES[1:]:
        _run(helm(), "dependency", "update", "--skip-refresh", str(CHARTS / name))
    # The install lines the docs give pin the version being released.
    for page in DOCS_PINNING_THE_VERSION:
        path = ROOT / page
        path.write_text(
            re.sub(
                rf"(todo-deploy-kit(?:\[node\])?==|todo-deploy-kit/todo-\w+ --version ){re.escape(old)}\b",
                rf"\g<1>{new}",
                path.read_text(encoding="utf-8"),
            ),
            encoding="utf-8",
        )


def helm() -> str:
    """The Helm 3 binary `make setup` extracts, else one on PATH."""
    local = ROOT / ".tools" / "bin" / "helm"
    found = str(local) if local.is_file() else shutil.which("helm")
    if found is None:
        raise ReleaseError("helm is missing; run `make setup`")
    return found


def check_releasable(*, allow_dirty: bool) -> str:
    """The version to release, or why there is none."""
    current = version()
    if not allow_dirty:
        dirty = _run("git", "status", "--porcelain", "--untracked-files=no")
        if dirty:
            raise ReleaseError(f"the work tree has uncommitted changes; commit or stash them:\n{dirty}")
    if current not in changelog_sections(CHANGELOG.read_text(encoding="utf-8")):
        raise ReleaseError(
            f"CHANGELOG.md has no section for {current}; run `python scripts/release.py cut <version>`"
        )
    stray = {name: found for name, found in chart_versions().items() if found != current}
    if stray:
        raise ReleaseError(f"charts at another version than {current}: {stray}; run `release.py cut`")
    return current


def build(out: Path, *, allow_dirty: bool = False) -> list[Path]:
    """Write the release's artifacts into ``out`` (emptied first) and return them."""
    current = check_releasable(allow_dirty=allow_dirty)
    if out.exists():
        shutil.rmtree(out)
    (out / "charts").mkdir(parents=True)
    _run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out / "python"), str(ROOT))
    packages = sorted((out / "python").iterdir())
    _run(sys.executable, "-m", "twine", "check", "--strict", *map(str, packages))
    for name in CHART_NAMES:
        if name != "todo-common":
            _run(helm(), "dependency", "build", "--skip-refresh", str(CHARTS / name))
        _run(helm(), "package", str(CHARTS / name), "--destination", str(out / "charts"))
    notes = out / "RELEASE_NOTES.md"
    body = changelog_sections(CHANGELOG.read_text(encoding="utf-8"))[current]
    notes.write_text(f"# todo-deploy-kit {current}\n\n{body}\n", encoding="utf-8")
    return [*packages, *sorted((out / "charts").iterdir()), notes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    cut_parser = commands.add_parser("cut", help="set the version everywhere and date its CHANGELOG section")
    cut_parser.add_argument("version")
    commands.add_parser("version", help="print the version the tree holds")
    build_parser = commands.add_parser("build", help="build the release's artifacts")
    build_parser.add_argument("--out", type=Path, default=ROOT / "release")
    args = parser.parse_args(argv)
    try:
        if args.command == "version":
            print(version())
        elif args.command == "cut":
            cut(args.version, today=datetime.date.today())
            print(f"version {args.version}: review `git diff`, commit, then `make release`")
        else:
            for artifact in build(args.out):
                print(f"{artifact.stat().st_size:>10,}  {artifact.relative_to(args.out)}")
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

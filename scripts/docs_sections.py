"""Regenerate the docs' generated sections from the code: ``python scripts/docs_sections.py`` (``make docs``).

Each section sits between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``
in one page:

- ``docs/reference.md``, ``props-reference``: every props class's fields,
  defaults and the descriptions from their docstrings;
- ``docs/helm.md``, ``props-values``: which chart value carries each prop,
  from ``scripts/chart_mapping.py``, the mapping the charts' values and the Helm
  equivalence tests are derived from;
- ``docs/getting-started.md``, ``runbook-dry-run``: the steps
  ``scripts/minikube-up.sh --dry-run`` prints.

``--check`` writes nothing, names each stale page and exits 1;
tests/test_docs.py runs the same check.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from constructs_lib import (  # noqa: E402
    Autoscaling,
    ExternalSecret,
    IngressPath,
    IngressTls,
    NetworkPolicy,
    Probe,
    Resources,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
    Toleration,
    ZeroDowntimeRollout,
)
from scripts.chart_mapping import attribute_docs, markdown_table  # noqa: E402

CLASSES = (
    TodoBackendProps,
    TodoFrontendProps,
    TodoIngressProps,
    TodoHttpRouteProps,
    Resources,
    Probe,
    IngressPath,
    IngressTls,
    Toleration,
    Autoscaling,
    NetworkPolicy,
    ZeroDowntimeRollout,
    ExternalSecret,
)

# The runbook's documented invocation: a fork's URL, as a reader would type it.
RUNBOOK_ARGS = (
    "--dry-run",
    "--repo-url",
    "https://github.com/your-org/todo-deploy-kit.git",
    "--revision",
    "main",
)


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if isinstance(value, enum.Enum):
        return f"`{value.value or type(value).__name__ + '.' + value.name}`"
    if dataclasses.is_dataclass(value):
        items = ", ".join(f"{f.name}={getattr(value, f.name)!r}" for f in dataclasses.fields(value))
        return f"`{type(value).__name__}({items})`"
    if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
        return "<br>".join(_default(dataclasses.field(default=item)) for item in value)
    if type(value).__name__ == "mappingproxy":
        value = dict(value)
    return f"`{value!r}`"


def props_reference() -> str:
    sections = []
    for cls in CLASSES:
        descriptions = attribute_docs(cls)
        rows = [
            f"| `{field.name}` | {_default(field)} | {descriptions.get(field.name, '')} |"
            for field in dataclasses.fields(cls)
        ]
        sections.append(
            "\n".join([f"## `{cls.__name__}`", "", "| prop | default | meaning |", "|---|---|---|", *rows])
        )
    return "\n\n".join(sections)


def props_values() -> str:
    return markdown_table()


def runbook_dry_run() -> str:
    """The documented invocation and the steps (``==>``) and commands (``+``) it prints.

    minikube and kubectl are stand-ins that fail if called, so nothing runs
    even if the script's dry run ever did; secret values are placeholders.
    """
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        (tmp / "bin").mkdir()
        (tmp / "tmp").mkdir()
        for tool in ("minikube", "kubectl"):
            stub = tmp / "bin" / tool
            stub.write_text('#!/bin/sh\necho "$0 must not run in a dry run" >&2\nexit 97\n')
            stub.chmod(0o755)
        env = {
            "PATH": os.pathsep.join([str(tmp / "bin"), os.environ.get("PATH", "")]),
            "HOME": scratch,
            "TMPDIR": str(tmp / "tmp"),
            "LC_ALL": "C",
            **{key: "placeholder" for key in ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY")},
        }
        bash = shutil.which("bash") or "bash"
        result = subprocess.run(
            [bash, "scripts/minikube-up.sh", *RUNBOOK_ARGS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"scripts/minikube-up.sh --dry-run failed:\n{result.stderr}")
        lines = [
            line.replace(str(tmp / "tmp"), "/tmp")
            for line in result.stdout.splitlines()
            if line.startswith(("+ ", "==> "))
        ]
    command = shlex.join(["scripts/minikube-up.sh", *RUNBOOK_ARGS])
    return "\n".join(["```console", f"$ {command}", *lines, "```"])


# page -> {section name -> renderer}
SECTIONS: dict[str, dict[str, Callable[[], str]]] = {
    "docs/reference.md": {"props-reference": props_reference},
    "docs/helm.md": {"props-values": props_values},
    "docs/getting-started.md": {"runbook-dry-run": runbook_dry_run},
}


def rendered(text: str, sections: dict[str, Callable[[], str]]) -> str:
    """``text`` with each named section replaced by what the code says now."""
    for name, render in sections.items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        if start not in text or end not in text:
            raise ValueError(f"missing markers {start.strip()} ... {end}")
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = f"{before}{start}\n{render()}\n\n{end}{after}"
    return text


def stale_pages() -> list[str]:
    """The pages whose generated sections differ from what the code says now."""
    stale = []
    for page, sections in SECTIONS.items():
        text = (ROOT / page).read_text(encoding="utf-8")
        if rendered(text, sections) != text:
            stale.append(page)
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page is stale")
    args = parser.parse_args()
    if args.check:
        stale = stale_pages()
        for page in stale:
            print(f"{page} is stale: run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    for page, sections in SECTIONS.items():
        path = ROOT / page
        text = path.read_text(encoding="utf-8")
        new = rendered(text, sections)
        if new != text:
            path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

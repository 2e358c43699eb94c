"""Generate the README's props reference from the props classes' fields, defaults and docstrings.

The section sits between ``<!-- props-reference:start -->`` and
``<!-- props-reference:end -->``. ``make docs`` rewrites it;
tests/test_readme.py fails when the README and the code disagree.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from constructs_lib import (  # noqa: E402
    Autoscaling,
    IngressPath,
    NetworkPolicy,
    Probe,
    Resources,
    TodoBackendProps,
    TodoFrontendProps,
    TodoIngressProps,
    ZeroDowntimeRollout,
)

CLASSES = (
    TodoBackendProps,
    TodoFrontendProps,
    TodoIngressProps,
    Resources,
    Probe,
    IngressPath,
    Autoscaling,
    NetworkPolicy,
    ZeroDowntimeRollout,
)
_ATTRIBUTE = re.compile(r"^\s{8}(\w+): (.*)$")


def _descriptions(cls: type) -> dict[str, str]:
    """``name: text`` entries of the Attributes sections of the class and its bases."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        doc = inspect.getdoc(klass) or ""
        lines = [f"    {line}" for line in doc.splitlines()]
        current = None
        for line in lines:
            match = _ATTRIBUTE.match(line)
            if match:
                current = match[1]
                found[current] = match[2].strip().replace("``", "`")
            elif current and line.startswith(" " * 12) and line.strip():
                found[current] += " " + line.strip().replace("``", "`")
            else:
                current = None
    return found


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if dataclasses.is_dataclass(value):
        items = ", ".join(f"{f.name}={getattr(value, f.name)!r}" for f in dataclasses.fields(value))
        return f"`{type(value).__name__}({items})`"
    if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
        return "<br>".join(_default(dataclasses.field(default=item)) for item in value)
    return f"`{value!r}`"


def props_reference() -> str:
    sections = []
    for cls in CLASSES:
        descriptions = _descriptions(cls)
        rows = [
            f"| `{field.name}` | {_default(field)} | {descriptions.get(field.name, '')} |"
            for field in dataclasses.fields(cls)
        ]
        sections.append(
            "\n".join([f"#### `{cls.__name__}`", "", "| prop | default | meaning |", "|---|---|---|", *rows])
        )
    return "\n\n".join(sections)


def props_values() -> str:
    from tests.helm.value_sets import markdown_table

    return markdown_table()


SECTIONS = {"props-reference": props_reference, "props-values": props_values}


def rendered_readme(text: str) -> str:
    """``text`` with every generated section replaced by what the code says now."""
    for name, render in SECTIONS.items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = f"{before}{start}\n{render()}\n{end}{after}"
    return text


if __name__ == "__main__":
    README.write_text(rendered_readme(README.read_text(encoding="utf-8")), encoding="utf-8")

"""Write the library chart's Checkov reasons from constructs_lib/policy_exceptions.py.

Both packagings then annotate with the same words: the charts'
``todo-common.deploymentAnnotations`` picks among these exactly as
``workload_exceptions`` does. ``make docs`` runs this; a test fails when the
chart's copy is stale.

Usage: ``chart_policy_exceptions.py`` (rewrites the template).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "charts" / "todo-common" / "templates" / "_policy_exceptions.tpl"
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from constructs_lib import policy_exceptions as pe  # noqa: E402


def _value(exception: pe.PolicyException) -> str:
    # A JSON string is a YAML double-quoted scalar.
    return json.dumps(f"{exception.check_id}={exception.reason}")


def _lines(name: str, entry: pe.PolicyException | dict[str, pe.PolicyException]) -> list[str]:
    if isinstance(entry, pe.PolicyException):
        return [f"{name}: {_value(entry)}"]
    return [f"{name}:", *(f"  {json.dumps(key)}: {_value(value)}" for key, value in entry.items())]


def render() -> str:
    """The template text: one ``define`` whose body is a YAML map for ``fromYaml``."""
    entries: dict[str, pe.PolicyException | dict[str, pe.PolicyException]] = {
        "DEFAULT_NAMESPACE": pe.DEFAULT_NAMESPACE,
        "LATEST_TAG": pe.LATEST_TAG,
        "IMAGE_DIGEST": pe.IMAGE_DIGEST,
        "PULL_POLICY": pe.PULL_POLICY,
        "LOW_UID": pe.LOW_UID,
        "NO_CPU_LIMIT": pe.NO_CPU_LIMIT,
        "SECRET_ENV": pe.SECRET_ENV,
        "EXTRA_SECRET_ENV": pe.EXTRA_SECRET_ENV,
        "NO_NETWORK_POLICY": pe.NO_NETWORK_POLICY,
        "TEST_POD": pe.TEST_POD,
    }
    body = [line for name, entry in entries.items() for line in _lines(name, entry)]
    body += [
        f"HIGH_UID: {pe.HIGH_UID}",
        f"LOCAL_PULL_POLICY: {json.dumps(pe.LOCAL_PULL_POLICY)}",
    ]
    return "\n".join(
        [
            "{{/*",
            "Generated from constructs_lib/policy_exceptions.py by scripts/chart_policy_exceptions.py",
            "(make docs); edit the Python, not this file.",
            "*/}}",
            '{{- define "todo-common.policyExceptions" -}}',
            *body,
            "{{- end }}",
            "",
        ]
    )


def main() -> None:
    TEMPLATE.write_text(render())


if __name__ == "__main__":
    main()

"""Write each chart's values.yaml and values.schema.json from scripts/chart_mapping.py.

The defaults and ``# --`` comments (which helm-docs turns into the chart's
README) come from the props classes, the schema from the props' validation
rules. What the constructs depend on in the backend image, its gunicorn
graceful timeout (which the props and the charts check grace periods against)
and its request body limit (which its Ingress passes on to ingress-nginx), is
copied from backend/ (where the image reads it) into
constructs_lib/_backend_image.py; each workload's shutdown time and Ingress
settings into its chart's templates/_shutdown.tpl and _ingress_nginx.tpl. The limits the library's
checks use go into todo-common's templates/_limits.tpl (and its vendored copies),
for the template checks JSON Schema cannot state.

``make docs`` runs this; tests/helm/test_generated_values.py fails when a
generated file and its source disagree. ``--check`` only reports stale files.
"""

from __future__ import annotations

import json
import runpy
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from constructs_lib import _validation as check  # noqa: E402
from constructs_lib.pod_settings import (  # noqa: E402
    ANNOTATIONS_MAX_BYTES,
    HOOK_ANNOTATION_ALLOWED,
    HOOK_ANNOTATION_KEYS,
    RESERVED_KEY_PREFIXES,
    RESERVED_LABEL_KEYS,
)
from scripts.chart_mapping import (  # noqa: E402
    CHART_OWNER,
    CHARTS,
    PROPS_CLASSES,
    Chart,
    DocumentedValue,
    documented_values,
    values_schema,
)

GUNICORN_CONF = ROOT / "backend" / "gunicorn.conf.py"
BODY_LIMIT = ROOT / "backend" / "app" / "body_limit.py"

WIDTH = 100
HEADER = """\
# Values of the {chart} chart, written by scripts/chart_values.py (`make docs`)
# from the props classes and scripts/chart_mapping.py: edit those, not this file.
# The defaults are the constructs' defaults, so they render exactly the objects
# in dist/{chart}.k8s.yaml (tests/helm proves it). values.schema.json rejects
# unknown keys, so a typo fails instead of being ignored.
"""


def _scalar(value: Any) -> str:
    if value == {}:
        return "{}"
    if value == []:
        return "[]"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
    return text.removesuffix("\n...\n").rstrip("\n")


def _comment(doc: str, indent: str) -> list[str]:
    lines = textwrap.wrap(doc, WIDTH - len(indent) - 5, break_long_words=False, break_on_hyphens=False)
    return [f"{indent}# -- {lines[0]}", *(f"{indent}# {line}" for line in lines[1:])]


def _render(node: dict[str, DocumentedValue], depth: int) -> list[str]:
    indent = "  " * depth
    lines: list[str] = []
    for key, item in node.items():
        if depth == 0 and lines:
            lines.append("")
        if item.doc:
            lines += _comment(item.doc, indent)
        value = item.value
        if isinstance(value, dict) and value:
            lines.append(f"{indent}{key}:")
            lines += _render(value, depth + 1)
        elif isinstance(value, list) and value:
            block = yaml.safe_dump(value, default_flow_style=False, sort_keys=False, allow_unicode=True)
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  {line}" for line in block.splitlines()]
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}")
    return lines


def values_yaml(chart: Chart) -> str:
    """The chart's values.yaml text."""
    return HEADER.format(chart=chart) + "\n" + "\n".join(_render(documented_values(chart), 0)) + "\n"


def schema_json(chart: Chart) -> str:
    """The chart's values.schema.json text."""
    return json.dumps(values_schema(chart), indent=2, ensure_ascii=False) + "\n"


def backend_image_module() -> str:
    """constructs_lib/_backend_image.py: the settings of the backend image that the constructs depend on."""
    graceful_timeout = runpy.run_path(str(GUNICORN_CONF))["graceful_timeout"]
    max_body_bytes = runpy.run_path(str(BODY_LIMIT))["MAX_BODY_BYTES"]
    return f'''"""Settings of the backend image that the constructs depend on.

Written by scripts/chart_values.py (`make docs`) from backend/gunicorn.conf.py
and backend/app/body_limit.py, which the image reads: edit those, not this file.
"""

# Seconds a gunicorn worker has to finish its requests after SIGTERM.
GRACEFUL_TIMEOUT = {int(graceful_timeout)}
# The largest request body the app reads; a larger one gets 413.
MAX_BODY_BYTES = {int(max_body_bytes)}
'''


def props_template(chart: Chart, define: str, attribute: str, what: str) -> str:
    """A template whose one ``define`` holds a class attribute of the chart's props, as JSON."""
    props = PROPS_CLASSES[CHART_OWNER[chart]]
    value = json.dumps(getattr(props, attribute), default=dict)
    return (
        f"{{{{/* {what} ({props.__name__}.{attribute}), "
        "written by scripts/chart_values.py (`make docs`). */}}\n"
        f'{{{{- define "{chart}.{define}" -}}}}{value}{{{{- end -}}}}\n'
    )


def limits_template() -> str:
    """todo-common's templates/_limits.tpl: the limits of the library's checks, for the templates'."""
    limits = {
        "annotationsMaxBytes": ANNOTATIONS_MAX_BYTES,
        "configMapMaxBytes": check.CONFIG_MAP_MAX_BYTES,
        "dnsSubdomainMax": check.DNS_SUBDOMAIN_MAX,
        "imagePathMax": check.IMAGE_PATH_MAX,
        "ipv4Sloppy": check.IPV4_SLOPPY,
        "labelValue": check.LABEL_VALUE,
        "goDurationUnits": check.GO_DURATION_UNITS,
        "goDurationMaxNs": check.GO_DURATION_MAX_NS,
        "goDurationAllowed": check.GO_DURATION_ALLOWED,
        "routeOnce": check.ROUTE_ONCE,
        "gatewayPath": check.GATEWAY_PATH,
        "gatewayPathMax": check.GATEWAY_PATH_MAX,
        "gatewayMatchesMax": check.GATEWAY_MATCHES_MAX,
        "gatewayPathAllowed": check.GATEWAY_PATH_ALLOWED,
        "invalidPathSequences": list(check.INVALID_PATH_SEQUENCES),
        "invalidPathSuffixes": list(check.INVALID_PATH_SUFFIXES),
        "reservedKeyPrefixes": list(RESERVED_KEY_PREFIXES),
        "reservedLabelKeys": list(RESERVED_LABEL_KEYS),
        "hookAnnotationKeys": list(HOOK_ANNOTATION_KEYS),
        "hookAnnotationAllowed": HOOK_ANNOTATION_ALLOWED,
    }
    return (
        "{{/*\nThe limits of the library's checks (constructs_lib/_validation.py, pod_settings.py),\n"
        'written by scripts/chart_values.py (`make docs`): (include "todo-common.limits" .) | fromJson.\n*/}}\n'
        '{{- define "todo-common.limits" -}}\n'
        f"{json.dumps(limits)}\n"
        "{{- end -}}\n"
    )


def generated_files() -> dict[Path, str]:
    """Each generated file and the text it must hold."""
    files = {
        ROOT / "constructs_lib" / "_backend_image.py": backend_image_module(),
        ROOT / "charts" / "todo-common" / "templates" / "_limits.tpl": limits_template(),
    }
    for chart in CHARTS:
        files[ROOT / "charts" / chart / "values.yaml"] = values_yaml(chart)
        files[ROOT / "charts" / chart / "values.schema.json"] = schema_json(chart)
        templates = ROOT / "charts" / chart / "templates"
        files[templates / "_shutdown.tpl"] = props_template(
            chart, "shutdownSeconds", "SHUTDOWN_SECONDS", "Seconds the app takes to stop after SIGTERM"
        )
        files[templates / "_owned_config.tpl"] = props_template(
            chart, "ownedConfig", "OWNED_CONFIG", "Environment names extraConfig may not set"
        )
        files[templates / "_ingress_nginx.tpl"] = props_template(
            chart,
            "ingressNginxAnnotations",
            "INGRESS_NGINX_ANNOTATIONS",
            "ingress-nginx settings the app needs on its Ingress, unless ingress.annotations sets them",
        )
    return files


def main(argv: list[str]) -> int:
    stale = [
        path
        for path, text in generated_files().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale; run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated_files().items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

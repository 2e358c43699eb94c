"""The stacks the cluster tier applies: dist/, each value set as constructs and as Helm releases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testbed.manifests import Manifests
from testbed.paths import DIST
from tests.helm.value_sets import CHARTS, VALUE_SETS, Chart, ValueSet
from tests.support.helm import CHARTS as CHARTS_DIR
from tests.support.synth import synth_stack

Objects = list[dict[str, Any]]
DEFAULTS = ValueSet("defaults")
ALL_VALUE_SETS = (DEFAULTS, *VALUE_SETS)


def dist_objects() -> Objects:
    return Manifests.from_dir(DIST).objects


def construct_objects(value_set: ValueSet) -> Objects:
    return synth_stack(**value_set.stack_props()).objects


def helm_values_args(value_set: ValueSet, chart: Chart, folder: Path) -> list[str]:
    """The flags giving ``chart`` this value set's values, as its delivery says."""
    if value_set.delivery == "set":
        return value_set.set_args(chart)
    values = folder / f"{value_set.id}-{chart}.json"
    values.write_text(json.dumps(value_set.values(chart)), encoding="utf-8")
    return ["--values", str(values)]


def helm_install_args(value_set: ValueSet, chart: Chart, namespace: str, folder: Path) -> list[str]:
    """``helm install`` of ``chart`` with the value set's values, written (when a file) into ``folder``."""
    return [
        "install",
        value_set.release(chart),
        str(CHARTS_DIR / chart),
        "-n",
        namespace,
        *helm_values_args(value_set, chart, folder),
    ]


__all__ = ["ALL_VALUE_SETS", "CHARTS", "DEFAULTS", "Objects"]

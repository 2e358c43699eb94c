"""A cdk8s Chart whose objects take JSON patches applied after everything the library writes."""

from __future__ import annotations

from typing import Any

import cdk8s
from constructs import Construct

from constructs_lib import _validation as check


class TodoChart(cdk8s.Chart):
    """A ``cdk8s.Chart`` with a supported escape hatch: :meth:`add_patches`.

    ``cdk8s.ApiObject.of(obj).add_json_patch(...)`` runs before cdk8s-plus
    renders its typed objects, which drops or rewrites what it does not model
    (a quantity given as a string, a field it does not know). Patches given
    here run on the finished objects instead, after every patch of the
    library's, exactly as written. :class:`~constructs_lib.stack.TodoApp`'s
    charts are ``TodoChart``s; use one in place of ``cdk8s.Chart`` for the
    constructs on their own.

    Example:
        ``chart.add_patches(backend.deployment, cdk8s.JsonPatch.add("/spec/template/spec/hostAliases", [...]))``
    """

    def __init__(self, scope: Construct, id: str, **chart_props: Any) -> None:
        super().__init__(scope, id, **chart_props)
        self._patches: dict[tuple[str, str], list[cdk8s.JsonPatch]] = {}

    def add_patches(self, obj: Construct, *patches: cdk8s.JsonPatch) -> None:
        """Patch ``obj`` (a workload's ``deployment``, ``service``, ``config_map``, ...) after the library.

        Raises:
            ValueError: ``obj`` is not an object of this chart.
        """
        api_object = cdk8s.ApiObject.of(obj)
        if cdk8s.Chart.of(api_object) is not self:
            raise check.fail(
                type(self).__name__,
                "obj",
                api_object.node.path,
                f"must be an object of the chart {self.node.id!r}",
            )
        self._patches.setdefault((api_object.kind, api_object.name), []).extend(patches)

    def to_json(self) -> list[Any]:
        """The objects as the library renders them, then each one's patches in the order given."""
        objects: list[Any] = super().to_json()
        return [
            cdk8s.JsonPatch.apply(obj, *patches)
            if (patches := self._patches.get((obj["kind"], obj["metadata"]["name"])))
            else obj
            for obj in objects
        ]

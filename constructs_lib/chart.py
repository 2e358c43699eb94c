"""A cdk8s Chart whose objects take JSON patches applied after everything the library writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cdk8s
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib.pod_settings import check_annotations_with_library, check_metadata_map


class TodoChart(cdk8s.Chart):
    """A ``cdk8s.Chart`` with a supported escape hatch: :meth:`add_patches`.

    ``cdk8s.ApiObject.of(obj).add_json_patch(...)`` runs before cdk8s-plus
    renders its typed objects, which drops or rewrites what it does not model
    (a quantity given as a string, a field it does not know). Patches given
    here run on the finished objects instead, after every patch of the
    library's, exactly as written. :class:`~constructs_lib.stack.TodoApp`'s
    charts are ``TodoChart``s; use one in place of ``cdk8s.Chart`` for the
    constructs on their own.

    ``annotations`` go on every object's metadata, as cdk8s's ``labels`` do;
    an object's own annotation of the same key wins. Each object's
    annotations, the library's and the user's together, and those of its pod
    template, must total at most 256 KiB, as the API server enforces.

    Example:
        ``chart.add_patches(backend.deployment, cdk8s.JsonPatch.add("/spec/template/spec/hostAliases", [...]))``
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        annotations: Mapping[str, str] | None = None,
        **chart_props: Any,
    ) -> None:
        check_metadata_map(type(self).__name__, "annotations", annotations or {}, labels=False)
        super().__init__(scope, id, **chart_props)
        self._patches: dict[tuple[str, str], list[cdk8s.JsonPatch]] = {}
        self._annotations: dict[str, str] = dict(annotations or {})

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

    def object_annotations(self, obj: cdk8s.ApiObject) -> dict[str, str]:
        """``obj``'s annotations as its metadata holds them, then the chart's it has no key of."""
        own: dict[str, str] = obj.metadata.to_json().get("annotations") or {}
        return {**self._annotations, **own}

    def to_json(self) -> list[Any]:
        """The objects as the library renders them, then each one's patches in the order given.

        Raises:
            ValueError: a patch makes an object's or its pod template's
                annotations total more than 256 KiB (the library checks its
                own and the props' before).
        """
        objects: list[Any] = super().to_json()
        finished = [
            cdk8s.JsonPatch.apply(obj, *patches)
            if (patches := self._patches.get((obj["kind"], obj["metadata"]["name"])))
            else obj
            for obj in objects
        ]
        for obj in finished:
            metadata = obj["metadata"]
            if self._annotations:
                annotations = metadata.setdefault("annotations", {})
                for key, value in self._annotations.items():
                    annotations.setdefault(key, value)
            spec = obj.get("spec")
            template = spec.get("template") if isinstance(spec, dict) else None
            where = f"{obj['kind']}/{metadata['name']}"
            for field, annotations in (
                ("metadata.annotations", metadata.get("annotations")),
                (
                    "spec.template.metadata.annotations",
                    (template or {}).get("metadata", {}).get("annotations"),
                ),
            ):
                check_annotations_with_library(
                    f"{type(self).__name__}({self.node.id!r})", f"{where} {field}", annotations or {}, {}
                )
        return finished

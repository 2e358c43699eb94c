"""The Gateway API HTTPRoute option routes the same paths as the Ingress."""

from __future__ import annotations

import pytest

from constructs_lib import TodoHttpRouteProps, TodoIngressProps
from tests.support.synth import synth_stack

ROUTE = TodoHttpRouteProps(gateway_name="public", section_name="https", host="todo.example.com")


def test_the_backends_route_sends_its_paths_to_its_service() -> None:
    route = synth_stack(http_route=ROUTE).get("HTTPRoute", "todo-backend")

    assert route["spec"]["parentRefs"] == [{"name": "public", "sectionName": "https"}]
    assert route["spec"]["hostnames"] == ["todo.example.com"]
    assert route["spec"]["rules"] == [
        {
            "backendRefs": [{"name": "todo-backend", "port": 8000}],
            "matches": [
                {"path": {"type": "PathPrefix", "value": "/api"}},
                {"path": {"type": "Exact", "value": "/health"}},
            ],
        }
    ]


def test_a_route_replaces_the_ingress_unless_both_are_asked_for() -> None:
    assert synth_stack(http_route=ROUTE).of_kind("Ingress") == []
    both = synth_stack(http_route=ROUTE, ingress=TodoIngressProps())
    assert len(both.of_kind("Ingress")) == len(both.of_kind("HTTPRoute")) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gateway_name", "Public"),
        ("gateway_namespace", "gw\n"),
        ("section_name", "a b"),
        ("host", "10.0.0.1"),
    ],
)
def test_a_bad_route_prop_raises_value_error_naming_it(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=rf"^TodoHttpRouteProps\.{field}: got "):
        TodoHttpRouteProps(**{"gateway_name": "public", field: value})

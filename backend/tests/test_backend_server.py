"""What each request costs the worker: the fast event loop and parser, and one trip to the thread pool."""

from __future__ import annotations

import inspect
import warnings

import uvicorn
from app.application import create_app
from app.settings import Settings
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

with warnings.catch_warnings():
    # The spec's gunicorn command names uvicorn.workers.UvicornWorker, deprecated in uvicorn's favour of uvicorn-worker.
    warnings.simplefilter("ignore", DeprecationWarning)
    from uvicorn.workers import UvicornWorker


def test_the_worker_runs_on_uvloop_and_httptools() -> None:
    config = uvicorn.Config(app=lambda scope, receive, send: None, **UvicornWorker.CONFIG_KWARGS)
    config.load()
    assert config.get_loop_factory().__module__ == "uvloop"
    assert config.http_protocol_class is HttpToolsProtocol


def _dependencies(dependant: Dependant) -> list[Dependant]:
    found = []
    for dependency in dependant.dependencies:
        found += [dependency, *_dependencies(dependency)]
    return found


def test_no_dependency_waits_for_a_thread() -> None:
    # FastAPI runs a plain `def` dependency in the thread pool: each one is a
    # hop of its own, before the route's. The routes do their blocking work
    # (the database, hashing) in their own single hop.
    app = create_app(Settings(database_url="postgresql://unused/db", auth_secret="s" * 64, openai_api_key=""))
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    assert routes
    for route in routes:
        for dependency in _dependencies(route.dependant):
            assert inspect.iscoroutinefunction(dependency.call), (route.path, dependency.call)

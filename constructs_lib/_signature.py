"""The constructors' own signatures for help(), IDEs and inspect, past jsii's metaclass."""

from __future__ import annotations

import inspect
from typing import TypeVar

_Class = TypeVar("_Class", bound=type)


def init_signature(cls: _Class) -> _Class:
    """Give ``cls`` the signature of its ``__init__`` (without ``self``).

    jsii's metaclass defines ``__call__(*args, **kwargs)``, which inspect
    reports for every construct class: ``help(TodoApp)`` would show
    ``(*args, **kwargs)`` instead of the keyword-only props.
    """
    init = inspect.signature(vars(cls)["__init__"])
    cls.__signature__ = init.replace(parameters=list(init.parameters.values())[1:])  # type: ignore[attr-defined]
    return cls

"""Where things are in the repository, and the scripts/ modules the code here reuses."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[1]
DIST = REPO_ROOT / "dist"
BACKEND_DIR = REPO_ROOT / "backend"
FRONTEND_DIR = REPO_ROOT / "frontend"
# Node 22 LTS, as the frontend image runs it, from the repository's npm packages (make setup).
NODE = REPO_ROOT / "node_modules" / "node" / "bin" / "node"


def script(name: str) -> ModuleType:
    """A module of scripts/, which is not a package, e.g. ``script("control_plane")``."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]

"""CRDs from the Go module proxy, pinned by tools/crds/go.mod, and the typed Python API cdk8s imports from them.

``python scripts/import_crds.py`` regenerates ``constructs_lib/_imports/``
(committed; run it after changing the pin). The cluster tests install the
same CRD files on the control plane through :func:`crd_file`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS_MODULE = REPO_ROOT / "tools" / "crds"
IMPORTS = REPO_ROOT / "constructs_lib" / "_imports"
# Python module name -> (Go module, CRD file inside it).
CRDS = {
    "external_secrets": (
        "github.com/external-secrets/external-secrets",
        "config/crds/bases/external-secrets.io_externalsecrets.yaml",
    ),
    "gateway_api": (
        "sigs.k8s.io/gateway-api",
        "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
    ),
}


def module_dir(module: str) -> Path:
    """The module's source in Go's module cache, downloaded at the version go.mod pins."""
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("go is not on PATH; the CRDs come from the Go module proxy through tools/crds")
    result = subprocess.run(
        [go, "mod", "download", "-json", module], cwd=TOOLS_MODULE, check=True, capture_output=True, text=True
    )
    return Path(json.loads(result.stdout)["Dir"])


def crd_file(name: str) -> Path:
    module, path = CRDS[name]
    return module_dir(module) / path


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for name in CRDS:
            subprocess.run(
                ["cdk8s", "import", f"{name}:={crd_file(name)}", "--language", "python", "--output", scratch],
                # In the scratch folder: the CLI records what it imports in the cdk8s.yaml it finds.
                cwd=scratch,
                check=True,
            )
        shutil.rmtree(IMPORTS, ignore_errors=True)
        shutil.copytree(scratch, IMPORTS)
    (IMPORTS / "__init__.py").write_text(
        '"""Typed APIs cdk8s imports from CRDs: regenerate with scripts/import_crds.py."""\n'
    )
    for name in CRDS:
        (IMPORTS / name / "__init__.py").touch()
    print(f"wrote {IMPORTS.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

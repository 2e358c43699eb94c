"""Go programs the cluster runs beside the control plane, built from wrapper modules under tools/.

Each is pinned by ``tools/<name>/go.mod`` and built once per machine into the
cache outside the clone (``control_plane.cache_root()``), keyed by its version
and Go's. A build has Go caches of its own, deleted afterwards: the cache keeps
the binary and the few files of its module it runs with (CRDs, say), not the
GBs the build needed. A folder named by the tool's ``assets_env`` holding the
same files is used instead, as ``$KUBEBUILDER_ASSETS`` is for Kubernetes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts import control_plane  # noqa: E402
from scripts.control_plane import MissingBinary  # noqa: E402


@dataclass(frozen=True)
class Tool:
    """A Go program, the module it comes from, and the files of that module it runs with."""

    name: str
    module: str
    package: str
    # Folder beside the binary -> glob inside the module's source.
    files: Mapping[str, str]
    # The make target that builds it.
    target: str

    @property
    def assets_env(self) -> str:
        """The environment variable naming a folder of prebuilt files, e.g. ``ARGOCD_ASSETS``."""
        return f"{self.name.upper().replace('-', '_')}_ASSETS"

    @property
    def wrapper(self) -> Path:
        return REPO_ROOT / "tools" / self.name

    def version(self) -> str:
        """The release the wrapper's go.mod pins: the one place it is written."""
        pattern = rf"^\s*(?:require\s+)?{re.escape(self.module)} (v\S+)"
        match = re.search(pattern, (self.wrapper / "go.mod").read_text(), re.M)
        if match is None:
            raise RuntimeError(f"{self.wrapper / 'go.mod'} does not require {self.module}")
        return match[1]

    def cache_dir(self) -> Path:
        return control_plane.cache_root() / f"{self.name}-{self.version()}-{control_plane.go_version()}"

    def assets_dir(self) -> Path:
        """The folder holding the binary and its files, or :class:`MissingBinary` naming the command."""
        assets = os.environ.get(self.assets_env)
        folder = Path(assets) if assets else self.cache_dir()
        missing = [str(folder / self.name)] if not (folder / self.name).is_file() else []
        missing += [str(folder / kind) for kind in self.files if not (folder / kind).is_dir()]
        if missing:
            where = f" ({self.assets_env}={assets})" if assets else ""
            raise MissingBinary(f"{', '.join(missing)} missing{where}; run: make {self.target}")
        return folder

    def build(self) -> Path:
        """Build into the cache unless it is there (or the assets folder is given); return the folder."""
        if os.environ.get(self.assets_env):
            return self.assets_dir()
        target = self.cache_dir()
        if (target / self.name).is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        env = {
            **os.environ,
            "GOCACHE": str(scratch / "go-build"),
            "GOMODCACHE": str(scratch / "go-mod"),
            "GOFLAGS": "-mod=readonly",
        }
        staging = scratch / "out"
        try:
            print(f"Building {self.name} {self.version()} into {target} (once per machine)", flush=True)
            started = time.monotonic()
            subprocess.run(
                ["go", "build", "-trimpath", "-ldflags=-s -w", "-o", str(staging / self.name), self.package],
                cwd=self.wrapper,
                env=env,
                check=True,
            )
            self._copy_files(staging, env)
            print(f"Built {self.name} in {time.monotonic() - started:.0f} s", flush=True)
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
        finally:
            # Go writes its module cache read-only; its own clean removes it.
            subprocess.run(["go", "clean", "-modcache"], env=env, check=False, capture_output=True)
            shutil.rmtree(scratch, ignore_errors=True)
        return target

    def _copy_files(self, staging: Path, env: dict[str, str]) -> None:
        source = subprocess.run(
            ["go", "mod", "download", "-json", self.module],
            cwd=self.wrapper,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        module_dir = Path(json.loads(source.stdout)["Dir"])
        for folder, pattern in self.files.items():
            found = sorted(module_dir.glob(pattern))
            if not found:
                raise RuntimeError(f"{self.module} {self.version()} has no {pattern}")
            (staging / folder).mkdir()
            for path in found:
                shutil.copy(path, staging / folder / path.name)


ARGOCD = Tool(
    "argocd",
    "github.com/argoproj/argo-cd/v3",
    "github.com/argoproj/argo-cd/v3/cmd",
    # The repo-server runs git through this wrapper (it verifies signatures when asked to).
    {"crds": "manifests/crds/*-crd.yaml", "bin": "hack/git-verify-wrapper.sh"},
    "gitops-binaries",
)
EXTERNAL_SECRETS = Tool(
    "external-secrets",
    "github.com/external-secrets/external-secrets",
    "github.com/external-secrets/external-secrets",
    # The CRDs without the conversion webhook patch the operator's own chart adds.
    {"crds": "config/crds/bases/*.io_*.yaml"},
    "gitops-binaries",
)
TRAEFIK = Tool(
    "traefik",
    "github.com/traefik/traefik/v3",
    "github.com/traefik/traefik/v3/cmd/traefik",
    {},
    "ingress-binaries",
)
METRICS_SERVER = Tool(
    "metrics-server",
    "sigs.k8s.io/metrics-server",
    "sigs.k8s.io/metrics-server/cmd/metrics-server",
    {},
    "gitops-binaries",
)
TOOLS = {tool.name: tool for tool in (ARGOCD, EXTERNAL_SECRETS, TRAEFIK, METRICS_SERVER)}


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "build" and set(argv[1:]) <= set(TOOLS):
        for name in argv[1:]:
            print(TOOLS[name].build())
        return 0
    if len(argv) == 2 and argv[0] == "assets" and argv[1] in TOOLS:
        try:
            print(TOOLS[argv[1]].assets_dir())
        except MissingBinary as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

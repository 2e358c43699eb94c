"""dist/'s images, built by buildah from ``docker/*/Dockerfile`` unchanged, for the pods a real kubelet runs.

Debian's buildah runs ``bud --pull=never --isolation chroot --layers`` on
each Dockerfile and its context, as ``docker build`` would. No registry is
reachable here, so every ``FROM`` image is a local stand-in, committed under
the exact name the Dockerfile asks for:

- ``python:<version>-slim-<suite>``: that Debian suite's minbase with python3
  and python3-venv (``mmdebstrap``), ``python`` in ``/usr/local/bin`` as the
  python image has it. Debian's Python, not the tag's: trixie ships 3.13
  where the tag says 3.12.
- ``node:<version>-alpine``: Debian trixie's minbase with the very Node the
  tag names and the npm it bundles, both from the repository's npm tools, in
  ``/usr/local`` as the node image has them; glibc, not musl; ``addgroup``
  and ``adduser`` take Alpine's flags (``testbed/alpine``).

``RUN`` steps reach PyPI and npm's registry over the machine's network,
trusting its CA bundle (bound in while building; npm reads it through
``cafile=``). buildah's storage and layer cache are kept outside the clone,
keyed by buildah's version, so a rebuild with nothing changed only checks
the ``COPY`` sources. Each image is saved as a ``docker save`` archive under
the name dist/ gives it, for ``ctr images import`` (scripts/node.py).

``python -m testbed.node_images [FOLDER]`` (``make node-images``) builds the
images of FOLDER's Deployments (dist/ by default) and imports them into the
node ``make node`` runs.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from testbed.cache import build_lock, cache_dir
from testbed.dockerfile import Dockerfile
from testbed.manifests import Manifests, only_container
from testbed.paths import BACKEND_DIR, DIST, FRONTEND_DIR, NODE, REPO_ROOT, script

PACKAGES_HINT = "apt-get install buildah mmdebstrap (`make system-packages`)"
MIRROR = "http://deb.debian.org/debian"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Docker's default PATH, which the python and node images start from.
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NPM = REPO_ROOT / "node_modules" / "npm"
ALPINE_SHIMS = Path(__file__).parent / "alpine"
RECIPE_LABEL = "todo-deploy-kit.stand-in"
BUILD_TIMEOUT_SECONDS = 900
# Deployment -> (Dockerfile, build context), as docker/*/Dockerfile's first lines say.
SOURCES = {
    "todo-backend": (REPO_ROOT / "docker" / "backend" / "Dockerfile", BACKEND_DIR),
    "todo-frontend": (REPO_ROOT / "docker" / "frontend" / "Dockerfile", FRONTEND_DIR),
}


class ImageBuildUnavailable(RuntimeError):
    """buildah or mmdebstrap is missing, or a stand-in cannot be made; the message says what to do."""


@dataclass(frozen=True)
class StandIn:
    """A local image standing in for a registry's: a Debian minbase, more files, its ENV."""

    name: str
    suite: str
    packages: tuple[str, ...]
    env: Mapping[str, str]
    # Image path -> host path, copied in with their own modes.
    files: Mapping[str, Path] = field(default_factory=dict)
    symlinks: Mapping[str, str] = field(default_factory=dict)
    # What changes the files without changing their paths (versions).
    versions: tuple[str, ...] = ()

    @property
    def recipe(self) -> str:
        what = (self.suite, self.packages, MIRROR, dict(self.env), dict(self.symlinks), self.versions)
        digest = hashlib.sha256(repr(what).encode())
        for image_path, source in sorted(self.files.items()):
            digest.update(image_path.encode())
            if source.is_file():
                digest.update(source.read_bytes() if source.stat().st_size < 2**20 else b"")
        return digest.hexdigest()[:16]


def normalized(name: str) -> str:
    """The full reference containerd and buildah give a short name: ``todo-backend:1`` is Docker Hub's."""
    first, _, rest = name.partition("/")
    if not rest:
        return f"docker.io/library/{name}"
    if "." in first or ":" in first or first == "localhost":
        return name
    return f"docker.io/{name}"


def stand_in(base: str) -> StandIn:
    """The stand-in for a Dockerfile's ``FROM`` image."""
    repository, _, tag = base.partition(":")
    python = re.fullmatch(r"[\d.]+-slim-(?P<suite>[a-z]+)", tag)
    if repository == "python" and python:
        return StandIn(
            name=normalized(base),
            suite=python["suite"],
            packages=("python3", "python3-venv", "ca-certificates"),
            env={"PATH": BASE_PATH, "LANG": "C.UTF-8"},
            symlinks={
                "usr/local/bin/python": "/usr/bin/python3",
                "usr/local/bin/python3": "/usr/bin/python3",
            },
        )
    node = re.fullmatch(r"(?P<version>\d+\.\d+\.\d+)-alpine", tag)
    if repository == "node" and node:
        have = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True).stdout.strip()
        if have != f"v{node['version']}":
            raise ImageBuildUnavailable(
                f"{base} asks for Node {node['version']}; the repository's npm tools have {have}: "
                "pin the same version of `node` in package.json (and `npm` to the one it bundles)"
            )
        npm_version = json.loads((NPM / "package.json").read_text())["version"]
        return StandIn(
            name=normalized(base),
            suite="trixie",
            packages=("ca-certificates",),
            env={"PATH": BASE_PATH, "NODE_VERSION": node["version"]},
            files={
                "usr/local/bin/node": NODE,
                "usr/local/lib/node_modules/npm": NPM,
                "usr/local/sbin/addgroup": ALPINE_SHIMS / "addgroup",
                "usr/local/sbin/adduser": ALPINE_SHIMS / "adduser",
            },
            symlinks={
                "usr/local/bin/npm": "../lib/node_modules/npm/bin/npm-cli.js",
                "usr/local/bin/npx": "../lib/node_modules/npm/bin/npx-cli.js",
            },
            versions=(have, npm_version),
        )
    raise ImageBuildUnavailable(f"no local stand-in for {base}: only python:*-slim-<suite> and node:*-alpine")


class Buildah:
    """Debian's buildah with storage of our own, outside the clone."""

    def __init__(self) -> None:
        missing = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
        if missing:
            raise ImageBuildUnavailable(f"{', '.join(missing)} not on PATH; run: {PACKAGES_HINT}")
        version = subprocess.run(["buildah", "--version"], capture_output=True, text=True, check=True).stdout
        self.dir = cache_dir() / f"buildah-{version.split()[2]}"
        self.dir.mkdir(parents=True, exist_ok=True)

    def run(self, *args: str, timeout: float = 120) -> str:
        command = [
            "buildah", "--root", str(self.dir / "storage"), "--runroot", str(self.dir / "run"),
            "--storage-driver", "overlay", *args,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(
                f"buildah {' '.join(args[:2])} failed:\n{result.stdout[-3000:]}{result.stderr}"
            )
        return result.stdout

    def has(self, image: StandIn) -> bool:
        try:
            config = json.loads(self.run("inspect", "--type", "image", image.name))
        except RuntimeError:
            return False
        labels = config["OCIv1"]["config"].get("Labels") or {}
        return bool(labels.get(RECIPE_LABEL) == image.recipe)

    def commit_stand_in(self, image: StandIn) -> None:
        """Make the stand-in: mmdebstrap's root filesystem, then its files, committed under its name."""
        with tempfile.TemporaryDirectory(dir=self.dir) as work:
            rootfs = Path(work) / "rootfs.tar"
            made = subprocess.run(
                [
                    "mmdebstrap", "--quiet", "--variant=minbase", "--mode=root",
                    f"--include={','.join(image.packages)}", image.suite, str(rootfs), MIRROR,
                ],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if made.returncode != 0:
                raise ImageBuildUnavailable(
                    f"mmdebstrap {image.suite} for {image.name} failed:\n{made.stderr}"
                )
            extra = Path(work) / "extra.tar"
            with tarfile.open(extra, "w") as archive:
                for image_path, source in sorted(image.files.items()):
                    archive.add(source, arcname=image_path, filter=_root_owned)
                for image_path, target in sorted(image.symlinks.items()):
                    link = tarfile.TarInfo(image_path)
                    link.type, link.linkname = tarfile.SYMTYPE, target
                    archive.addfile(link)
            container = self.run("from", "scratch").strip()
            try:
                self.run("add", container, str(rootfs), "/", timeout=300)
                self.run("add", container, str(extra), "/", timeout=300)
                env = [arg for key, value in image.env.items() for arg in ("--env", f"{key}={value}")]
                self.run("config", *env, "--label", f"{RECIPE_LABEL}={image.recipe}", container)
                self.run("commit", "--quiet", container, image.name, timeout=300)
            finally:
                self.run("rm", container)

    def build(self, dockerfile: Path, context: Path, name: str) -> None:
        """``docker build -f dockerfile -t name context``, with the machine's CA trusted by RUN steps."""
        npmrc = self.dir / "npmrc"
        npmrc.write_text(f"cafile={CA_BUNDLE}\n")
        self.run(
            "bud", "--pull=never", "--isolation", "chroot", "--layers",
            "--volume", f"{CA_BUNDLE}:{CA_BUNDLE}:ro", "--volume", f"{npmrc}:/root/.npmrc:ro",
            "-f", str(dockerfile), "-t", name, str(context),
            timeout=BUILD_TIMEOUT_SECONDS,
        )  # fmt: skip


def _root_owned(member: tarfile.TarInfo) -> tarfile.TarInfo:
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    return member


def dist_image(manifests: Manifests, deployment: str) -> str:
    """The image the Deployment of that name runs, as containerd names it."""
    return normalized(only_container(manifests.get("Deployment", deployment))["image"])


def build_archive(deployment: str, name: str, destination: Path) -> Path:
    """Build ``deployment``'s image as ``name`` and save it as a ``docker save`` archive in ``destination``."""
    dockerfile, context = SOURCES[deployment]
    buildah = Buildah()
    with build_lock(buildah.dir.name):
        stages = Dockerfile(dockerfile).stages
        for base in sorted({stage.base for stage in stages} - {stage.name for stage in stages}):
            image = stand_in(base)
            if not buildah.has(image):
                buildah.commit_stand_in(image)
        buildah.build(dockerfile, context, name)
        archive = destination / f"{deployment}.tar"
        buildah.run("push", "--quiet", name, f"docker-archive:{archive}:{name}", timeout=300)
    return archive


def dist_archives(manifests: Manifests, destination: Path) -> dict[str, Path]:
    """Every Deployment's image, built under the name it has in ``manifests``: Deployment -> archive."""
    return {
        name: build_archive(name, dist_image(manifests, name), destination)
        for name in sorted(d["metadata"]["name"] for d in manifests.of_kind("Deployment"))
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DIST
    node_script = script("node")
    node = node_script.running(node_script.control_plane.DEFAULT_STATE_DIR / "node")
    with tempfile.TemporaryDirectory() as scratch:
        for deployment, archive in dist_archives(Manifests.from_dir(folder), Path(scratch)).items():
            node_script.import_image(node, archive)
            print(
                f"{deployment}: {dist_image(Manifests.from_dir(folder), deployment)} imported into the node"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

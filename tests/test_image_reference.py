"""image, image_tag and image_digest are refused exactly where container runtimes would refuse the image.

Kubernetes takes any image string; the runtime parses it when it pulls, and
a bad one leaves the pod in InvalidImageName. The verdicts here come from
the real parser, github.com/distribution/reference's ParseDockerRef (what
containerd's CRI plugin calls), built from tools/image-reference.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest

from constructs_lib import TodoBackendProps, TodoFrontendProps
from testbed.cache import go_tool

pytestmark = pytest.mark.slow

HEX64 = "0123456789abcdef" * 4
REPOSITORIES = [
    "todo-backend", "team/todo-backend", "registry.example.com/team/todo-backend",
    "registry.example.com:5000/todo-backend", "localhost:5000/todo", "localhost/todo", "[::1]:5000/todo",
    "[fe80::1%eth0]/todo", "192.168.0.1:5000/todo", "my-registry.io/a/b/c/d", "Registry.Example.com/todo",
    "a.b", "a_b", "a__b", "a___b", "a--b", "a---b", "a-.b", "a._b", "a..b", "a-_b",
    "-a", "a-", "_a", "a_", ".a", "a.", "a//b", "/a", "a/", "A", "todo-Backend", "host-/a", "-host.io/a",
    "host.io:/a", "host.io:port/a", "todo backend", "todo\nbackend", "todo\tbackend", "tödo", "todo:1.0",
    "todo@sha256:" + HEX64, "", HEX64, HEX64[:-1], HEX64 + "0", "a" * 247, "a" * 248, "team/" + "a" * 250,
    "team/" + "a" * 251, "registry.example.com/" + "a" * 255, "registry.example.com/" + "a" * 256,
    "docker.io/" + "a" * 247, "docker.io/" + "a" * 248, "Team/" + "a" * 255, "Team/" + "a" * 256,
]  # fmt: skip
TAGS = [
    "latest", "1.4.2", "v1.4.2-rc.1", "1.4.2+build", "_", "_a", "A", "a" * 128, "a" * 129, ".a", "-a", "a.",
    "a-", "1.0@sha256:" + HEX64, "1.0 ", "1.0\n", "", "ä", "a/b", "a:b",
]  # fmt: skip
DIGESTS = [
    "sha256:" + HEX64, "sha384:" + HEX64 + HEX64[:32], "sha512:" + HEX64 * 2, "sha256:" + HEX64.upper(),
    "sha256:" + HEX64[:-1], "sha256:" + HEX64 + "0", "SHA256:" + HEX64, "md5:" + HEX64[:32],
    "sha256:" + HEX64 + "\n", "sha256" + HEX64, "sha256:", HEX64, "sha256:" + "g" * 64,
    "sha512:" + HEX64, "blake3:" + HEX64,
]  # fmt: skip


@dataclass(frozen=True)
class Parsed:
    """What the real parser made of one reference: ok, and the name, tag and digest it read."""

    ok: bool
    name: str = ""
    tag: str = ""
    digest: str = ""


@pytest.fixture(scope="module")
def parse() -> dict[str, Parsed]:
    """Every reference the tests build, parsed by the real parser in one run."""
    references = [
        *(f"{repository}:latest" for repository in REPOSITORIES),
        *(f"todo-backend:{tag}" for tag in TAGS),
        *(f"todo-backend:latest@{digest}" for digest in DIGESTS),
    ]
    output = subprocess.run(
        [go_tool("image-reference")], input="".join(f"{reference}\0" for reference in references),
        capture_output=True, text=True, check=True,
    ).stdout.split("\0")[:-1]  # fmt: skip
    assert len(output) == len(references), output
    verdicts = {}
    for reference, answer in zip(references, output, strict=True):
        fields = answer.split("\t")
        verdicts[reference] = Parsed(True, *fields[1:]) if fields[0] == "ok" else Parsed(False)
    return verdicts


def _accepted(**props: str) -> bool:
    try:
        TodoBackendProps(**props)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("repository", REPOSITORIES, ids=repr)
def test_image_is_refused_where_the_runtime_refuses_it(parse: dict[str, Parsed], repository: str) -> None:
    parsed = parse[f"{repository}:latest"]
    runtime = parsed.ok and parsed.name == repository and parsed.tag == "latest"
    # A release tag: a registry image at latest is refused for another reason.
    assert _accepted(image=repository, image_tag="1.0.0") == runtime


@pytest.mark.parametrize("tag", TAGS, ids=repr)
def test_image_tag_is_refused_where_the_runtime_refuses_it(parse: dict[str, Parsed], tag: str) -> None:
    parsed = parse[f"todo-backend:{tag}"]
    # A tag followed by a digest parses, but the digest is not part of the tag: it has its own prop.
    runtime = parsed.ok and parsed.tag == tag and not parsed.digest
    assert _accepted(image_tag=tag) == runtime


@pytest.mark.parametrize("digest", DIGESTS, ids=repr)
def test_image_digest_is_refused_where_the_runtime_refuses_it(parse: dict[str, Parsed], digest: str) -> None:
    parsed = parse[f"todo-backend:latest@{digest}"]
    runtime = parsed.ok and parsed.digest == digest
    assert _accepted(image_digest=digest) == runtime


def test_a_digest_pins_the_containers_image() -> None:
    from tests.support.synth import synth_stack

    digest = "sha256:" + HEX64
    objects = synth_stack(
        backend=TodoBackendProps(image="registry.example.com/todo-backend", image_digest=digest),
        frontend=TodoFrontendProps(image="registry.example.com/todo-frontend", image_tag="1.0.0"),
    )
    (container,) = objects.get("Deployment", "todo-backend")["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"registry.example.com/todo-backend:latest@{digest}"

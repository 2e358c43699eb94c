"""A burst of registrations stays within the backend pod's memory limit: past its hashing slots, 503, never an OOM kill.

Each registration hashes a password with Argon2id, which holds its memory
cost for the whole hash; the pod runs with its limits from dist/ enforced by
its cgroup, so a burst that outgrew them would be OOM-killed here as on a node.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from testbed.backend import PASSWORD
from testbed.cgroups import memory_bytes
from testbed.manifests import Manifests, only_container
from testbed.stack import Stack


def test_the_container_sees_its_memory_limit(stack: Stack, dist: Manifests) -> None:
    # What the backend counts its hashing slots from.
    limit = memory_bytes(
        only_container(dist.get("Deployment", "todo-backend"))["resources"]["limits"]["memory"]
    )
    pod = stack.pods["todo-backend"][0]
    shown = pod.exec("sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || "
                     "cat /sys/fs/cgroup/memory/memory.limit_in_bytes")  # fmt: skip
    assert int(shown.stdout) == limit, shown


@pytest.mark.parametrize("users", [8, 50])
def test_concurrent_registrations_stay_within_the_pods_memory(
    stack: Stack, dist: Manifests, users: int
) -> None:
    limit = memory_bytes(
        only_container(dist.get("Deployment", "todo-backend"))["resources"]["limits"]["memory"]
    )
    pod = stack.pods["todo-backend"][0]
    processes = set(pod.cgroup.procs(pod.container["name"]))
    ooms = pod.cgroup.ooms()
    pod.cgroup.reset_peak_memory()

    def sign_up(client: httpx.Client) -> httpx.Response:
        email = f"burst-{uuid.uuid4().hex[:8]}@example.com"
        return client.post("/api/auth/register", json={"email": email, "password": PASSWORD})

    connections = httpx.Limits(max_connections=users)
    with httpx.Client(base_url=f"http://{pod.address}", timeout=60, limits=connections) as client:
        with ThreadPoolExecutor(users) as pool:
            answers = list(pool.map(lambda _: sign_up(client), range(users)))
        codes = Counter(answer.status_code for answer in answers)
        assert set(codes) <= {201, 503}, {a.status_code: a.text for a in answers}
        assert all(a.headers.get("Retry-After") for a in answers if a.status_code == 503)
        if users <= 8:
            # Fewer than the slots a 512Mi pod has: everyone is signed up.
            assert codes == {201: users}
        # The pod's memory never reached its limit (where the kernel reclaims, then kills),
        # and no worker was killed and replaced.
        assert pod.cgroup.peak_memory() < limit
        assert pod.cgroup.ooms() == ooms
        assert set(pod.cgroup.procs(pod.container["name"])) == processes, pod.log()
        # Turned away, not broken: the pod signs the next user up at once.
        assert sign_up(client).status_code == 201

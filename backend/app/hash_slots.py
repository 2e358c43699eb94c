"""Password hashes within the pod's memory: at most as many at once as a share of its limit holds.

Argon2id holds its whole memory cost for the length of a hash, and FastAPI
runs each request in a pool of 40 threads per worker: without a bound, a
burst of registrations or logins multiplies that cost past the pod's limit
and the kernel OOM-kills a worker. So each hash first takes slots, lock
files in the temp directory, which every gunicorn worker in the pod shares
(the ``/tmp`` emptyDir). A hash whose memory cost spans several slots (one
made with older, larger parameters) takes that many. A lock is released when
its holder's process ends, so a worker killed mid-hash frees its slots.

The slots are counted from the container's memory limit, as its cgroup
shows it, so a pod given more memory hashes more at once. Beyond them a
request waits briefly, then :class:`HashingBusy` (a 503 with
``Retry-After``).
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# Half the container's memory is for hashes at once; the other half holds the
# workers themselves (about 70 MiB each) and everything else a request uses.
HASH_SHARE = 0.5
# How long a request waits for a slot before it is turned away.
WAIT_SECONDS = 3.0
RETRY_AFTER_SECONDS = 1
# The container's cgroup as the container sees it, cgroup v2 then v1; "max"
# or a value this large means no limit.
CGROUP_MEMORY_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
_UNLIMITED = 2**62


class HashingBusy(RuntimeError):
    """Every slot stayed taken for :data:`WAIT_SECONDS`."""


def memory_limit() -> int:
    """The container's memory limit in bytes; the machine's memory where none is set."""
    for path in CGROUP_MEMORY_LIMITS:
        with contextlib.suppress(OSError, ValueError):
            value = int(Path(path).read_text().strip())
            if value < _UNLIMITED:
                return value
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


class HashSlots:
    """``count`` slots of ``slot_bytes`` each, shared through lock files in ``folder``."""

    def __init__(self, folder: Path, count: int, slot_bytes: int) -> None:
        self.folder, self.count, self.slot_bytes = folder, count, slot_bytes
        folder.mkdir(parents=True, exist_ok=True)

    @classmethod
    def for_container(cls, slot_bytes: int) -> HashSlots:
        """As many slots as :data:`HASH_SHARE` of the container's memory limit holds, at least one."""
        count = max(1, int(memory_limit() * HASH_SHARE) // slot_bytes)
        return cls(Path(tempfile.gettempdir()) / "todo-password-hashes", count, slot_bytes)

    def weight(self, memory_bytes: int) -> int:
        """The slots a hash of ``memory_bytes`` takes: at least one, at most all."""
        return min(self.count, max(1, math.ceil(memory_bytes / self.slot_bytes)))

    @contextlib.contextmanager
    def hold(self, memory_bytes: int) -> Iterator[None]:
        """Hold the slots for a hash of ``memory_bytes``, or raise :class:`HashingBusy` after the wait."""
        weight = self.weight(memory_bytes)
        deadline = time.monotonic() + WAIT_SECONDS
        while (held := self._take(weight)) is None:
            if time.monotonic() >= deadline:
                raise HashingBusy(f"{self.count} password hashes are running in this pod")
            time.sleep(0.01 + random.random() * 0.02)
        try:
            yield
        finally:
            for fd in held:
                os.close(fd)

    def _take(self, weight: int) -> list[int] | None:
        """Lock ``weight`` free slots, or none; starting at random spreads the workers over them."""
        start = random.randrange(self.count)
        held: list[int] = []
        for index in range(self.count):
            fd = os.open(self.folder / f"{(start + index) % self.count}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            held.append(fd)
            if len(held) == weight:
                return held
        for fd in held:
            os.close(fd)
        return None

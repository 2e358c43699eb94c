"""Resource envelope: the pods' peak memory and CPU under load through nginx, beside dist/'s requests and limits.

Usage: python benchmarks/resources.py [--duration S] [--connections N]   (run through
`make bench`). Starts the e2e stack (tests/e2e/stack.py: PostgreSQL, the backend's
gunicorn with its 2 workers, the frontend's `node server.js`, nginx configured from
the Ingresses), then drives `wrk` (Debian package `wrk`) through nginx at /health, an
authenticated /api/tasks and the frontend's /, one after the other, while sampling
every pod's process tree from /proc every 100 ms.

Prints a markdown report for docs/benchmarks.md. Exits non-zero when a row's peak
memory is over the Deployment's memory limit (the OOM kill line) or a load had
errors. CPU above the limit is reported, not failed: natively nothing throttles
it, where a pod would be throttled at the limit.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from benchmarks.synth import machine  # noqa: E402
from tests.e2e.stack import Pod, Stack  # noqa: E402
from tests.support.backend import PASSWORD, SECRET  # noqa: E402
from tests.support.manifests import DIST, Manifests, only_container  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

SAMPLE_EVERY = 0.1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TASKS_PER_USER = 20
BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
DECIMAL_SUFFIXES = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def memory_bytes(quantity: str) -> int:
    for suffix, factor in {**BINARY_SUFFIXES, **DECIMAL_SUFFIXES}.items():
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity)


def millicores(quantity: str) -> float:
    return float(quantity[:-1]) if quantity.endswith("m") else float(quantity) * 1000


def mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants that are alive now."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                pending.extend(
                    int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()
                )
        except OSError:
            continue
    return found


@dataclass(frozen=True)
class Sample:
    at: float
    rss: int
    pss: int
    cpu_seconds: float
    processes: int


def sample(pid: int) -> Sample:
    rss = pss = processes = 0
    cpu = 0.0
    for member in process_tree(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text()
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): utime, stime are 14 and 15.
        fields = stat.rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        rss += int(fields[21]) * PAGE_SIZE
        pss += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE).group(1)) * 1024  # type: ignore[union-attr]
        processes += 1
    return Sample(time.monotonic(), rss, pss, cpu, processes)


@dataclass
class Sampler:
    """Samples every pod's process tree in the background."""

    pods: dict[str, Pod]
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pod in self.pods.items():
                self.samples.setdefault(name, []).append(sample(pod.process.pid))
            time.sleep(SAMPLE_EVERY)

    def __enter__(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def window(self, name: str, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples.get(name, []) if start <= s.at <= end]


def cpu_millicores(samples: list[Sample], span: float = 1.0) -> tuple[float, float]:
    """(average, peak over any ``span``-second window) CPU use in millicores."""
    if len(samples) < 2:
        return 0.0, 0.0
    average = (samples[-1].cpu_seconds - samples[0].cpu_seconds) / (samples[-1].at - samples[0].at) * 1000
    peak = 0.0
    j = 0
    for i, first in enumerate(samples):
        j = max(j, i)
        while j < len(samples) - 1 and samples[j].at - first.at < span:
            j += 1
        if samples[j].at - first.at >= span * 0.9:
            peak = max(peak, (samples[j].cpu_seconds - first.cpu_seconds) / (samples[j].at - first.at) * 1000)
    return average, peak


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50: str
    p99: str
    requests: int
    errors: int


def run_wrk(url: str, host: str, headers: dict[str, str], duration: int, connections: int) -> WrkResult:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Host: {host}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.MULTILINE))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50=latency["50"],
        p99=latency["99"],
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        errors=errors,
    )


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16, help="concurrent wrk connections")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: install it with `apt-get install wrk`", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)

    dist = Manifests.from_dir(DIST)
    database = PostgresServer().start()
    try:
        secrets = {
            "DATABASE_URL": database.create_database(),
            "BETTER_AUTH_SECRET": SECRET,
            "OPENAI_API_KEY": "",
        }
        with Stack(dist, secrets).start() as stack:
            return measure(stack, dist, args.duration, args.connections)
    finally:
        database.stop()


def measure(stack: Stack, dist: Manifests, duration: int, connections: int) -> int:
    assert stack.nginx is not None
    # Other work on the machine shares its cores with wrk, nginx and the pods.
    load_before = os.getloadavg()[0]
    (host,) = {rule["host"] for ing in dist.of_kind("Ingress") for rule in ing["spec"]["rules"]}
    with httpx.Client(base_url=stack.nginx.base_url, headers={"Host": host}, timeout=10) as client:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        token = client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).json()[
            "access_token"
        ]
        auth = {"Authorization": f"Bearer {token}"}
        for index in range(TASKS_PER_USER):
            assert client.post("/api/tasks", json={"title": f"task {index}"}, headers=auth).status_code == 201

    loads = [
        ("`GET /health`", "/health", {}),
        (f"`GET /api/tasks` (authenticated, {TASKS_PER_USER} tasks)", "/api/tasks", auth),
        ("`GET /` (frontend page)", "/", {}),
    ]
    pods = {name: pods[0] for name, pods in stack.pods.items()}
    phases = []
    with Sampler(pods) as sampler:
        time.sleep(1.0)
        idle_end = time.monotonic()
        phases.append(("idle", 0.0, idle_end, None))
        for label, path, headers in loads:
            start = time.monotonic()
            result = run_wrk(f"{stack.nginx.base_url}{path}", host, headers, duration, connections)
            phases.append((label, start, time.monotonic(), result))
            time.sleep(0.5)

    failed = False
    print(f"Machine: {machine()}  ")
    print(f"Load average (1 min) when the run started: {load_before:.2f}  ")
    print(
        f"Command: `make bench` (`python benchmarks/resources.py --duration {duration} --connections {connections}`): "
        f"wrk 2 threads, {connections} connections, {duration} s per endpoint, through nginx\n"
    )
    print("| endpoint (through nginx, `Host: todo.local`) | requests/s | p50 | p99 | requests | errors |")
    print("|---|---|---|---|---|---|")
    for label, _, _, result in phases:
        if result is not None:
            mark = "" if result.errors == 0 else " **FAIL**"
            failed |= result.errors > 0
            print(
                f"| {label} | {result.requests_per_second:.0f} | {result.p50} | {result.p99} | "
                f"{result.requests} | {result.errors}{mark} |"
            )

    print(
        "\n| pod | during | peak RSS (process tree) | peak PSS | memory request / limit | "
        "CPU avg / peak 1 s | CPU request / limit | verdict |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in pods:
        resources = only_container(dist.get("Deployment", name))["resources"]
        limit = memory_bytes(resources["limits"]["memory"])
        cpu_limit = millicores(resources["limits"]["cpu"])
        processes = max(s.processes for s in sampler.samples[name])
        for label, start, end, _ in phases:
            window = sampler.window(name, start, end)
            peak_rss = max(s.rss for s in window)
            peak_pss = max(s.pss for s in window)
            average, peak = cpu_millicores(window)
            verdict = "ok" if peak_rss <= limit else "**FAIL: over the memory limit**"
            if peak_rss <= limit and peak > cpu_limit:
                verdict = "ok (CPU would be throttled at the limit)"
            failed |= peak_rss > limit
            print(
                f"| {name} ({processes} process{'es' if processes != 1 else ''}) | {label} | {mib(peak_rss)} | {mib(peak_pss)} | "
                f"{resources['requests']['memory']} / {resources['limits']['memory']} | "
                f"{average:.0f}m / {peak:.0f}m | {resources['requests']['cpu']} / {resources['limits']['cpu']} | "
                f"{verdict} |"
            )
    if failed:
        print("\nFAILED: a row above is over its memory limit or its load had errors.", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

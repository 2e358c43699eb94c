"""Capacity of the spec's sizing: each endpoint under the pods' enforced limits, its knee, and a soak at twice it.

Usage: python benchmarks/resources.py [--step-seconds S] [--soak-seconds S]   (run through
`make bench`). Starts the stack the e2e tests use (testbed/stack.py): PostgreSQL, and each pod under
runc with its Deployment's CPU quota and memory limit in its pod cgroup, the kubelet's
probes running on their periods; nginx in front, configured from the Ingresses.

Through nginx with ``Host: todo.local``, for ``GET /health``, ``GET /api/tasks``
(authenticated, 20 tasks), ``POST /api/tasks`` and the frontend's ``GET /``:

1. Ramp: `wrk` (Debian's package) with 1, 2, 4, ... connections, each step for S
   seconds, until p99 passes RAMP_STOP. Each row: requests/s, p50, p99, errors,
   the pod's CPU use and throttling (cpuacct.usage or cpu.stat, cgroups.py), its peak
   memory (reset per step)
   against its limit, OOM kills and probe failures. The knee is the step with the
   most requests/s among those with p99 <= 100 ms and no error.
2. Soak: twice the knee's request rate for 60 s. wrk paces each thread's requests
   to the rate (soak.lua) with at most SOAK_CONNECTIONS requests in flight, like
   that many users waiting for their answers, so a pod that cannot keep up sees a
   bounded queue, not an unbounded one. It passes with 0 OOM kills, 0 liveness
   failures and, for POST, every task answered 2xx present in the database.

Prints markdown for docs/benchmarks.md. Exits non-zero when a soak fails. Timings are
reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from benchmarks.synth import machine  # noqa: E402
from testbed.backend import PASSWORD, SECRET  # noqa: E402
from testbed.manifests import Manifests, only_container  # noqa: E402
from testbed.paths import DIST  # noqa: E402
from testbed.postgres import PostgresServer  # noqa: E402
from testbed.stack import Pod, Stack  # noqa: E402

TASKS_PER_USER = 20
KNEE_P99_MS = 100.0
RAMP_CONNECTIONS = (1, 2, 4, 8, 16, 32, 64, 128)
RAMP_STOP_MS = 500.0
SOAK_CONNECTIONS = 256
USER_THINK_SECONDS = 2.0

# wrk scripts: a POST's body, with each 2xx answer kept (to look its task up
# afterwards); and a thread's requests paced to a rate, catching up on at most
# 1 s of slots missed while every connection waited for an answer.
WRK_POST = r"""
wrk.method = "POST"
wrk.body = '{"title": "load"}'
wrk.headers["Content-Type"] = "application/json"
local out
function setup(thread) counter = (counter or 0) + 1; thread:set("index", counter) end
function init(args) out = io.open(args[1] .. "." .. index, "w") end
function response(status, headers, body)
  if status >= 200 and status < 300 then out:write(body, "\n") end
end
"""
WRK_RATE = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long sec; long nsec; } ts; int clock_gettime(int, ts *); ]]
local now = ffi.new("ts")
local interval, next_at = 1000 * THREADS / RATE, nil
function delay()
  ffi.C.clock_gettime(1, now)
  local t = tonumber(now.sec) * 1000 + tonumber(now.nsec) / 1e6
  next_at = math.max(next_at or t, t - 1000)
  local wait = next_at - t
  next_at = next_at + interval
  return math.max(0, wait)
end
"""


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    pod: str
    method: str = "GET"
    authenticated: bool = False


ENDPOINTS = (
    Endpoint("`GET /health`", "/health", "todo-backend"),
    Endpoint(
        f"`GET /api/tasks` (authenticated, {TASKS_PER_USER} tasks)",
        "/api/tasks",
        "todo-backend",
        authenticated=True,
    ),
    Endpoint("`POST /api/tasks` (authenticated)", "/api/tasks", "todo-backend", "POST", authenticated=True),
    Endpoint("`GET /` (frontend page)", "/", "todo-frontend"),
)


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    # wrk's breakdown: connect, read, write, timeout (10 s) and non-2xx/3xx answers.
    error_kinds: str


@dataclass(frozen=True)
class PodUse:
    cpu_millicores: float
    nr_throttled: int
    nr_periods: int
    throttled_ms: float
    peak_memory: int
    ooms: int
    liveness_failures: int
    readiness_failures: int
    restarts: int


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, host: str, headers: dict[str, str], *, seconds: int, connections: int,
            rate: float = 0.0, method: str = "GET", bodies: Path) -> Load:  # fmt: skip
    threads = min(2, connections)
    script = bodies.with_suffix(".lua")
    script.write_text(
        (WRK_POST if method == "POST" else "")
        + (f"THREADS, RATE = {threads}, {rate}\n{WRK_RATE}" if rate else "")
    )
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(script), "-H", f"Host: {host}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [url, "--", str(bodies)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.MULTILINE))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    kinds = dict.fromkeys(("connect", "read", "write", "timeout"), "0")
    if socket_errors:
        kinds = dict(zip(kinds, socket_errors.groups(), strict=True))
    kinds["non-2xx"] = non_2xx.group(1) if non_2xx else "0"
    errors = sum(int(n) for n in kinds.values())
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        errors=errors,
        error_kinds=", ".join(f"{kind} {n}" for kind, n in kinds.items() if n != "0"),
    )


class Watch:
    """A pod's cgroup counters and probe events over one load phase."""

    def __init__(self, stack: Stack, pod: Pod) -> None:
        self.stack, self.pod = stack, pod
        cgroup = pod.cgroup
        cgroup.reset_peak_memory()
        self.cpu = cgroup.cpu_usage_ns()
        self.throttling = cgroup.throttling()
        self.ooms = cgroup.ooms()
        self.start = time.monotonic()

    def end(self) -> PodUse:
        cgroup, elapsed = self.pod.cgroup, time.monotonic() - self.start
        throttling = cgroup.throttling()
        events = [
            e
            for e in self.stack.probe_events()
            if e.at >= self.start and e.pod.startswith(self.pod.deployment)
        ]
        return PodUse(
            cpu_millicores=(cgroup.cpu_usage_ns() - self.cpu) / elapsed / 1e6,
            nr_throttled=throttling.nr_throttled - self.throttling.nr_throttled,
            nr_periods=throttling.nr_periods - self.throttling.nr_periods,
            throttled_ms=(throttling.throttled_ns - self.throttling.throttled_ns) / 1e6,
            peak_memory=cgroup.peak_memory(),
            ooms=cgroup.ooms() - self.ooms,
            liveness_failures=sum(e.probe == "livenessProbe" and e.event == "failed" for e in events),
            readiness_failures=sum(e.probe == "readinessProbe" and e.event == "failed" for e in events),
            restarts=sum(e.event == "restart" for e in events),
        )


def _row(label: str, load: Load, use: PodUse, limit: str) -> str:
    throttled = f"{use.nr_throttled}/{use.nr_periods} ({use.throttled_ms / 1000:.1f} s)"
    probes = f"{use.liveness_failures} / {use.readiness_failures} / {use.restarts}"
    return (
        f"| {label} | {load.requests_per_second:.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} | "
        f"{load.errors}{f' ({load.error_kinds})' if load.errors else ''} | "
        f"{use.cpu_millicores:.0f}m | {throttled} | {use.peak_memory / 2**20:.0f} MiB / {limit} | {use.ooms} | {probes} |"
    )


HEADER = (
    "| {what} | requests/s | p50 ms | p99 ms | errors | pod CPU | throttled periods (time) | "
    "pod peak memory / limit | OOM kills | liveness / readiness failures / restarts |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step-seconds", type=int, default=10, help="seconds per ramp step")
    parser.add_argument("--soak-seconds", type=int, default=60, help="seconds at twice the knee")
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
            return measure(stack, dist, secrets["DATABASE_URL"], args.step_seconds, args.soak_seconds)
    finally:
        database.stop()


def measure(stack: Stack, dist: Manifests, database_url: str, step_seconds: int, soak_seconds: int) -> int:
    assert stack.nginx is not None
    load_before = os.getloadavg()[0]
    (host,) = {rule["host"] for ing in dist.of_kind("Ingress") for rule in ing["spec"]["rules"]}
    with httpx.Client(base_url=stack.nginx.base_url, headers={"Host": host}, timeout=10) as client:

        def user() -> dict[str, str]:
            email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
            token = client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).json()
            return {"Authorization": f"Bearer {token['access_token']}"}

        reader, writer = user(), user()
        for index in range(TASKS_PER_USER):
            assert (
                client.post("/api/tasks", json={"title": f"task {index}"}, headers=reader).status_code == 201
            )
    limits = {
        name: only_container(dist.get("Deployment", name))["resources"]["limits"]
        for name in ("todo-backend", "todo-frontend")
    }
    bodies = Path(tempfile.mkdtemp(prefix="todo-bench-"))
    ramps: list[str] = []
    soaks: list[str] = []
    knees: dict[str, tuple[float, int]] = {}
    failed = False
    for endpoint in ENDPOINTS:
        pod = stack.pods[endpoint.pod][0]
        headers = (writer if endpoint.method == "POST" else reader) if endpoint.authenticated else {}
        url = f"{stack.nginx.base_url}{endpoint.path}"
        best: tuple[float, int] | None = None
        for connections in RAMP_CONNECTIONS:
            watch = Watch(stack, pod)
            load = run_wrk(url, host, headers, seconds=step_seconds, connections=connections,
                           method=endpoint.method, bodies=bodies / f"ramp-{len(ramps)}")  # fmt: skip
            use = watch.end()
            ramps.append(
                _row(f"{endpoint.label}, {connections} conn.", load, use, limits[endpoint.pod]["memory"])
            )
            if (
                load.p99_ms <= KNEE_P99_MS
                and load.errors == 0
                and (best is None or load.requests_per_second > best[0])
            ):
                best = (load.requests_per_second, connections)
            if load.p99_ms > RAMP_STOP_MS or load.errors:
                break
            time.sleep(1)
        assert best is not None, f"{endpoint.label}: no step met p99 <= {KNEE_P99_MS} ms without errors"
        knees[endpoint.label] = best
        rate = 2 * best[0]
        watch = Watch(stack, pod)
        load = run_wrk(url, host, headers, seconds=soak_seconds, connections=SOAK_CONNECTIONS, rate=rate,
                       method=endpoint.method, bodies=bodies / f"soak-{len(soaks)}")  # fmt: skip
        use = watch.end()
        lost, answered = _lost_writes(bodies, database_url) if endpoint.method == "POST" else (0, 0)
        verdict = (
            use.ooms == 0 and use.liveness_failures == 0 and use.restarts == 0 and lost == 0 and pod.alive()
        )
        failed |= not verdict
        soaks.append(
            _row(f"{endpoint.label} at {rate:.0f}/s", load, use, limits[endpoint.pod]["memory"])
            + f" {f'{lost} of {answered}' if endpoint.method == 'POST' else 'n/a'} | {'pass' if verdict else '**FAIL**'} |"
        )
        time.sleep(2)
    shutil.rmtree(bodies, ignore_errors=True)

    print(f"Machine: {machine()}  ")
    print(f"Load average (1 min) when the run started: {load_before:.2f}  ")
    print(
        f"Command: `make bench` (`python benchmarks/resources.py --step-seconds {step_seconds} "
        f"--soak-seconds {soak_seconds}`), wrk through nginx with `Host: {host}`  "
    )
    resources = "; ".join(
        f"{name} {limits[name]['cpu']} CPU / {limits[name]['memory']}"
        for name in ("todo-backend", "todo-frontend")
    )
    hierarchy = stack.pods["todo-backend"][0].cgroup.hierarchy
    print(
        f"Limits enforced: yes, by each pod's {hierarchy} cgroup ({resources}), pods under runc as in dist/\n"
    )
    print("Ramp (each step a fresh window for the pod's counters):\n")
    print(HEADER.format(what="endpoint, wrk connections"))
    print("\n".join(ramps))
    print(
        f"\nKnee (most requests/s with p99 <= {KNEE_P99_MS:.0f} ms and no error), and the users it carries:\n"
    )
    print("| endpoint | knee requests/s | at connections | users at one request every 2 s |")
    print("|---|---|---|---|")
    for label, (rps, connections) in knees.items():
        print(f"| {label} | {rps:.0f} | {connections} | {rps * USER_THINK_SECONDS:.0f} |")
    print(f"\nSoak: twice the knee for {soak_seconds} s, at most {SOAK_CONNECTIONS} requests in flight:\n")
    print(
        HEADER.format(what="endpoint at target rate").replace(" |\n|", " | lost writes | verdict |\n|", 1)
        + "---|---|"
    )
    print("\n".join(soaks))
    if failed:
        print("\nFAILED: a soak had an OOM kill, a liveness failure or a lost write.", file=sys.stderr)
    return 1 if failed else 0


def _lost_writes(bodies: Path, database_url: str) -> tuple[int, int]:
    """(lost, answered): tasks whose POST was answered 2xx, and how many of them are not in the database."""
    ids = {
        json.loads(line)["id"] for path in bodies.glob("*.[0-9]*") for line in path.read_text().splitlines()
    }
    with psycopg.connect(database_url) as connection:
        found = {
            str(row[0]) for row in connection.execute("SELECT id FROM tasks WHERE id = ANY(%s)", [list(ids)])
        }
    for path in bodies.glob("*.[0-9]*"):
        path.unlink()
    return len(ids - found), len(ids)


if __name__ == "__main__":
    sys.exit(main())

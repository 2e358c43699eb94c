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
2. Soak: twice the knee's request rate for S seconds. wrk paces each thread's requests
   to the rate (soak.lua) with at most SOAK_CONNECTIONS requests in flight, like
   that many users waiting for their answers, so a pod that cannot keep up sees a
   bounded queue, not an unbounded one. It passes with 0 OOM kills, 0 liveness
   failures and, for POST, every task answered 2xx present in the database.

3. Login storm: LOGIN_STORM distinct users log in at the same moment. Each login
   hashes a password (Argon2id, 19 MiB); the backend bounds the hashes in flight
   by its memory limit and answers the rest 503 with Retry-After. It passes with
   0 OOM kills and no answer but 200 or 503.
4. Overload: OVERLOAD_FACTOR times the knee of ``POST /api/tasks`` with
   OVERLOAD_CONNECTIONS requests in flight for S seconds. Latencies and statuses
   come from nginx's access log (``$request_time``): the share of 503s answered
   within FAST_MS and the p99 of the accepted requests. It passes like a soak.

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
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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
LOGIN_STORM = 50
OVERLOAD_FACTOR = 4
OVERLOAD_CONNECTIONS = 1000
FAST_MS = 100.0
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
    knees: dict[str, tuple[float, int] | None] = {}
    rates: dict[str, float] = {}
    failed = False
    for endpoint in ENDPOINTS:
        pod = stack.pods[endpoint.pod][0]
        headers = (writer if endpoint.method == "POST" else reader) if endpoint.authenticated else {}
        url = f"{stack.nginx.base_url}{endpoint.path}"
        best: tuple[float, int] | None = None
        peak = 0.0
        for connections in RAMP_CONNECTIONS:
            watch = Watch(stack, pod)
            load = run_wrk(url, host, headers, seconds=step_seconds, connections=connections,
                           method=endpoint.method, bodies=bodies / f"ramp-{len(ramps)}")  # fmt: skip
            use = watch.end()
            ramps.append(
                _row(f"{endpoint.label}, {connections} conn.", load, use, limits[endpoint.pod]["memory"])
            )
            print(ramps[-1], file=sys.stderr, flush=True)  # progress; the tables come at the end
            peak = max(peak, load.requests_per_second)
            if (
                load.p99_ms <= KNEE_P99_MS
                and load.errors == 0
                and (best is None or load.requests_per_second > best[0])
            ):
                best = (load.requests_per_second, connections)
            if load.p99_ms > RAMP_STOP_MS or load.errors:
                break
            time.sleep(1)
        knees[endpoint.label] = best
        # Without a knee (p99 over the bound from one connection on), the soak doubles the ramp's peak.
        rate = 2 * (best[0] if best else peak)
        rates[endpoint.label] = rate
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
        print(soaks[-1], file=sys.stderr, flush=True)
        time.sleep(2)
    backend = stack.pods["todo-backend"][0]
    storm = login_storm(stack, backend, host, limits["todo-backend"]["memory"])
    print(storm, file=sys.stderr, flush=True)
    post = next(e for e in ENDPOINTS if e.method == "POST")
    overload, overload_failed = overload_run(
        stack, backend, host, writer, OVERLOAD_FACTOR * rates[post.label] / 2, soak_seconds,
        database_url, bodies / "overload", limits["todo-backend"]["memory"],
    )  # fmt: skip
    failed |= storm.startswith("FAIL") or overload_failed
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
    for label, knee in knees.items():
        if knee is None:
            print(f"| {label} | none: p99 over {KNEE_P99_MS:.0f} ms from one connection on | | |")
        else:
            rps, connections = knee
            print(f"| {label} | {rps:.0f} | {connections} | {rps * USER_THINK_SECONDS:.0f} |")
    print(
        f"\nSoak: twice the knee (or the ramp's peak, without a knee) for {soak_seconds} s, "
        f"at most {SOAK_CONNECTIONS} requests in flight:\n"
    )
    print(
        HEADER.format(what="endpoint at target rate").replace(" |\n|", " | lost writes | verdict |\n|", 1)
        + "---|---|"
    )
    print("\n".join(soaks))
    print(f"\nLogin storm: {LOGIN_STORM} distinct users log in at once (Argon2id, 19 MiB a hash):\n")
    print(
        "| logins | 200 | 503 with Retry-After | other | p50 ms | p99 ms | pod peak memory / limit "
        "| OOM kills | liveness failures / restarts | verdict |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    print(storm.removeprefix("FAIL"))
    print(
        f"\nOverload: {OVERLOAD_FACTOR}x the knee of `POST /api/tasks` for {soak_seconds} s, "
        f"{OVERLOAD_CONNECTIONS} requests in flight (statuses and latencies from nginx's access log):\n"
    )
    print(
        "| target rate | answered/s | 201 | 503 | other | 503s within "
        f"{FAST_MS:.0f} ms | p99 ms of 201s | pod CPU | pod peak memory / limit | OOM kills "
        "| liveness failures / restarts | lost writes | verdict |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    print(overload)
    if failed:
        print(
            "\nFAILED: a soak, the login storm or the overload had an OOM kill, a liveness failure,"
            " a restart, a lost write or an unexpected status.",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def login_storm(stack: Stack, pod: Pod, host: str, limit: str) -> str:
    """A table row; it starts with FAIL when the storm failed."""
    assert stack.nginx is not None
    base = stack.nginx.base_url
    with httpx.Client(base_url=base, headers={"Host": host}, timeout=60) as client:
        emails = [f"storm-{uuid.uuid4().hex[:8]}@example.com" for _ in range(LOGIN_STORM)]
        for email in emails:
            # One at a time, so registering is not itself a storm.
            while (
                client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).status_code
                == 503
            ):
                time.sleep(1)
    start_together = threading.Barrier(LOGIN_STORM)

    def login(email: str) -> tuple[int, bool, float]:
        with httpx.Client(base_url=base, headers={"Host": host}, timeout=60) as client:
            start_together.wait()
            started = time.monotonic()
            response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            return response.status_code, "retry-after" in response.headers, time.monotonic() - started

    watch = Watch(stack, pod)
    with ThreadPoolExecutor(LOGIN_STORM) as threads:
        results = list(threads.map(login, emails))
    use = watch.end()
    ok = sum(status == 200 for status, _, _ in results)
    shed = sum(status == 503 and retry for status, retry, _ in results)
    other = len(results) - ok - shed
    times = [seconds * 1000 for _, _, seconds in results]
    passed = use.ooms == 0 and use.liveness_failures == 0 and use.restarts == 0 and other == 0 and pod.alive()
    return (
        f"{'' if passed else 'FAIL'}| {LOGIN_STORM} | {ok} | {shed} | {other} | {_percentile(times, 0.5):.0f} | "
        f"{_percentile(times, 0.99):.0f} | {use.peak_memory / 2**20:.0f} MiB / {limit} | {use.ooms} | "
        f"{use.liveness_failures} / {use.restarts} | {'pass' if passed else '**FAIL**'} |"
    )


def overload_run(stack: Stack, pod: Pod, host: str, headers: dict[str, str], rate: float, seconds: int,
                 database_url: str, bodies: Path, limit: str) -> tuple[str, bool]:  # fmt: skip
    """A table row, and whether the run failed."""
    assert stack.nginx is not None
    log = stack.nginx.access_log
    offset = log.stat().st_size
    watch = Watch(stack, pod)
    load = run_wrk(f"{stack.nginx.base_url}/api/tasks", host, headers, seconds=seconds,
                   connections=OVERLOAD_CONNECTIONS, rate=rate, method="POST", bodies=bodies)  # fmt: skip
    use = watch.end()
    lost, answered = _lost_writes(bodies.parent, database_url)
    time.sleep(1)  # nginx logs a request after answering it
    with log.open() as lines:
        lines.seek(offset)
        logged = [
            (int(match["status"]), float(match["seconds"]) * 1000)
            for match in re.finditer(
                r'"POST /api/tasks [^"]*" (?P<status>\d{3}) rt=(?P<seconds>[\d.]+)', lines.read()
            )
        ]
    created = [ms for status, ms in logged if status == 201]
    shed = [ms for status, ms in logged if status == 503]
    other = len(logged) - len(created) - len(shed)
    fast = sum(ms <= FAST_MS for ms in shed)
    failed = bool(use.ooms or use.liveness_failures or use.restarts or lost or not pod.alive())
    row = (
        f"| {rate:.0f}/s | {load.requests_per_second:.0f} | {len(created)} | {len(shed)} | {other} | "
        f"{fast} of {len(shed)} ({100 * fast / max(1, len(shed)):.0f}%) | {_percentile(created, 0.99):.1f} | "
        f"{use.cpu_millicores:.0f}m | {use.peak_memory / 2**20:.0f} MiB / {limit} | {use.ooms} | "
        f"{use.liveness_failures} / {use.restarts} | {lost} of {answered} | {'**FAIL**' if failed else 'pass'} |"
    )
    return row, failed


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

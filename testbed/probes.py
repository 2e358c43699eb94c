"""The kubelet's probes: one attempt as it makes one, and a worker per probe on its period while the pod runs.

Part of the runc harness ``make bench`` uses (stack.py); on the node the
kubelet probes for itself.

As the kubelet's prober workers do, each probe of a container runs from the
container's start, after ``initialDelaySeconds``, every ``periodSeconds``,
each attempt bounded by ``timeoutSeconds``; liveness and readiness wait until
a startup probe (if any) has passed. ``failureThreshold`` consecutive
liveness (or startup) failures are a restart, which the kubelet would perform and which
is counted here (the container keeps running); readiness turns the pod
unready after ``failureThreshold`` failures and ready again after
``successThreshold`` successes. Every failed attempt is recorded. The
endpoints are not changed by readiness here: the tests set them
(``Stack.set_ready``) as the rollouts they model dictate.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

KINDS = ("startupProbe", "livenessProbe", "readinessProbe")


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str


def run_probe(ip: str, port: Callable[[int | str], int], probe: Mapping[str, Any]) -> ProbeResult:
    """One probe attempt as the kubelet makes it: to the pod IP, within timeoutSeconds (default 1)."""
    timeout = float(probe.get("timeoutSeconds", 1))
    if "httpGet" in probe:
        action = probe["httpGet"]
        scheme = action.get("scheme", "HTTP").lower()
        url = f"{scheme}://{action.get('host', ip)}:{port(action['port'])}{action.get('path', '/')}"
        headers = {h["name"]: h["value"] for h in action.get("httpHeaders", [])}
        try:
            response = httpx.get(url, headers=headers, timeout=timeout)
        except httpx.HTTPError as error:
            return ProbeResult(False, f"GET {url}: {error!r}")
        # The kubelet counts 200 <= status < 400 as success.
        return ProbeResult(200 <= response.status_code < 400, f"GET {url}: {response.status_code}")
    if "tcpSocket" in probe:
        action = probe["tcpSocket"]
        target = (action.get("host", ip), port(action["port"]))
        try:
            with socket.create_connection(target, timeout=timeout):
                return ProbeResult(True, f"TCP {target}: connected")
        except OSError as error:
            return ProbeResult(False, f"TCP {target}: {error!r}")
    raise NotImplementedError(f"probe kind not modelled here: {sorted(probe)}")


@dataclass(frozen=True)
class ProbeEvent:
    """A failed attempt, or what the kubelet does after failureThreshold of them."""

    at: float
    pod: str
    probe: str
    event: str  # "failed", "restart" (liveness, startup), "unready" (readiness)
    detail: str


@dataclass
class Prober:
    """Probe workers for one pod, started with the container and stopped before it is deleted."""

    pod: str
    ip: str
    port: Callable[[int | str], int]
    container: Mapping[str, Any]
    events: list[ProbeEvent] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _started: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Prober:
        if "startupProbe" not in self.container:
            self._started.set()
        for kind in KINDS:
            if kind in self.container:
                thread = threading.Thread(target=self._worker, args=(kind,), daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _note(self, kind: str, event: str, detail: str) -> None:
        self.events.append(ProbeEvent(time.monotonic(), self.pod, kind, event, detail))

    def _worker(self, kind: str) -> None:
        probe = self.container[kind]
        if kind != "startupProbe":
            while not self._started.wait(0.1):
                if self._stop.is_set():
                    return
        if self._stop.wait(probe.get("initialDelaySeconds", 0)):
            return
        failures = successes = 0
        ready = False
        while True:
            result = run_probe(self.ip, self.port, probe)
            failures, successes = (0, successes + 1) if result.ok else (failures + 1, 0)
            if not result.ok:
                self._note(kind, "failed", result.detail)
            if kind == "startupProbe" and result.ok:
                self._started.set()
                return
            if kind != "readinessProbe" and failures >= probe.get("failureThreshold", 3):
                self._note(kind, "restart", result.detail)
                failures = 0
            if kind == "readinessProbe":
                if ready and failures >= probe.get("failureThreshold", 3):
                    ready = False
                    self._note(kind, "unready", result.detail)
                elif not ready and successes >= probe.get("successThreshold", 1):
                    ready = True
            if self._stop.wait(probe.get("periodSeconds", 10)):
                return

    def restarts(self) -> list[ProbeEvent]:
        return [e for e in self.events if e.event == "restart"]

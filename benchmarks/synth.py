"""Synth benchmark: the cdk8s app against `helm template`, measured side by side in one run.

Usage: python benchmarks/synth.py [--runs N]   (run through `make bench`, which sets
JSII_NODE and PATH). Prints a markdown report for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELM = {"Helm 3.17": ROOT / ".tools" / "bin" / "helm", "Helm 4.1": ROOT / ".tools" / "bin" / "helm4"}
CHARTS = ("todo-backend", "todo-frontend")
STACK_COUNTS = (1, 10, 50)


def wall_time(commands: Sequence[Sequence[str]], *, env: dict[str, str] | None = None) -> float:
    """Seconds to run the commands one after the other (each must succeed)."""
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(runs: int, commands: Sequence[Sequence[str]], **kwargs: dict[str, str]) -> float:
    wall_time(commands, **kwargs)  # warm the page cache; not counted
    return statistics.median(wall_time(commands, **kwargs) for _ in range(runs))


def helm_renders(helm: Path, stacks: int) -> list[list[str]]:
    return [
        [str(helm), "template", chart, str(ROOT / "charts" / chart)]
        for _ in range(stacks)
        for chart in CHARTS
    ]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs

    with tempfile.TemporaryDirectory() as scratch:
        env = {key: value for key, value in os.environ.items() if key not in ("IMAGE_TAG", "CDK8S_OUTDIR")}
        out = f"{scratch}/dist"
        python = sys.executable
        cli = str(ROOT / "node_modules" / ".bin" / "cdk8s")
        rows = [
            ("`python main.py`", median_of(runs, [[python, "main.py", out]], env=env)),
            (
                "`cdk8s synth`",
                median_of(
                    runs,
                    [[cli, "synth", "--app", f"{python} main.py {out}", "--output", f"{scratch}/cli"]],
                    env=env,
                ),
            ),
            *(
                (f"`helm template` of both charts ({name})", median_of(runs, helm_renders(helm, 1)))
                for name, helm in HELM.items()
            ),
        ]
        print(f"Machine: {machine()}  ")
        print(
            f"Command: `make bench` (median of {runs} runs after one warm-up; wall time of whole processes)\n"
        )
        print("| what | median wall time |\n|---|---|")
        for label, seconds in rows:
            print(f"| {label} | {seconds * 1000:.0f} ms |")

        stacks = {
            n: median_of(max(3, runs // 3), [[python, "benchmarks/many_stacks.py", str(n), scratch]])
            for n in STACK_COUNTS
        }
        helm = {n: median_of(max(3, runs // 3), helm_renders(HELM["Helm 3.17"], n)) for n in STACK_COUNTS}
        print(
            "\n| stacks (N) | one cdk8s app with N stacks | N times `helm template` of both charts (Helm 3.17) |"
        )
        print("|---|---|---|")
        for n in STACK_COUNTS:
            print(f"| {n} | {stacks[n] * 1000:.0f} ms | {helm[n] * 1000:.0f} ms |")
        first, last = STACK_COUNTS[0], STACK_COUNTS[-1]
        per_stack = (stacks[last] - stacks[first]) / (last - first)
        per_render = (helm[last] - helm[first]) / (last - first)
        print(
            f"\nMarginal cost per extra stack: cdk8s {per_stack * 1000:.1f} ms, Helm {per_render * 1000:.1f} ms."
        )


if __name__ == "__main__":
    main()

"""What a change would do in the cluster: ``make diff [BASE=origin/main]``.

Synthesizes BASE (in a temporary git worktree) and the working tree, then
prints per output folder (``dist``, each environment) and per object what is
added, removed or changed, field by field. Key order is ignored, and the
config checksum on pod templates is left out: the ConfigMap change it stands
for is shown instead. The structural diff is DeepDiff's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from deepdiff import DeepDiff

ROOT = Path(__file__).resolve().parent.parent
CHECKSUM = "checksum/config"
Objects = dict[str, dict[str, Any]]


def synthesize(tree: Path, out: Path) -> None:
    """Run the tree's own synth into ``out``, leaving the tree's committed output alone."""
    env = {key: value for key, value in os.environ.items() if key not in ("CDK8S_OUTDIR",)}
    subprocess.run([sys.executable, "main.py", str(out / "dist")], cwd=tree, env=env, check=True)
    if (tree / "environments" / "app.py").exists():
        subprocess.run(
            [
                sys.executable,
                "environments/app.py",
                str(out / "environments"),
                str(out / "applicationset.yaml"),
            ],
            cwd=tree,
            env=env,
            check=True,
        )


def load(out: Path) -> dict[str, Objects]:
    """{folder: {"Kind/name": object}} with the config checksum removed."""
    folders = {"dist": out / "dist"}
    if (out / "environments").is_dir():
        folders |= {f"environments/{p.name}": p for p in sorted((out / "environments").iterdir())}
    loaded: dict[str, Objects] = {}
    for label, folder in folders.items():
        objects: Objects = {}
        for path in sorted(folder.glob("*.yaml")):
            for obj in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if obj:
                    template = obj.get("spec", {}).get("template", {}).get("metadata", {})
                    template.get("annotations", {}).pop(CHECKSUM, None)
                    objects[f"{obj['kind']}/{obj['metadata']['name']}"] = obj
        loaded[label] = objects
    return loaded


def report(base: dict[str, Objects], head: dict[str, Objects]) -> Iterator[str]:
    for folder in sorted(base.keys() | head.keys()):
        old, new = base.get(folder, {}), head.get(folder, {})
        lines = [f"  + {key}" for key in sorted(new.keys() - old.keys())]
        lines += [f"  - {key}" for key in sorted(old.keys() - new.keys())]
        for key in sorted(old.keys() & new.keys()):
            diff = DeepDiff(old[key], new[key], ignore_order=False, verbose_level=2)
            if diff:
                lines.append(f"  ~ {key}")
                lines += [f"      {line}" for line in _describe(diff)]
        if lines:
            yield f"{folder}:"
            yield from lines


def _describe(diff: DeepDiff) -> Iterator[str]:
    for change, items in diff.items():
        for path, value in items.items():
            where = path.removeprefix("root")
            if change == "values_changed" or change == "type_changes":
                yield f"{where}: {value['old_value']!r} -> {value['new_value']!r}"
            elif "added" in change:
                yield f"{where}: added {value!r}"
            elif "removed" in change:
                yield f"{where}: removed {value!r}"
            else:
                yield f"{where}: {change} {value!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base", default="origin/main", help="git revision to compare with (default origin/main)"
    )
    base_rev = parser.parse_args(argv).base
    # The revision as a commit, so git never reads it as an option (--base=--lock) and a
    # name that is no revision fails here, with a message, before a worktree exists.
    resolved = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base_rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if resolved.returncode != 0:
        print(f"diff: --base: got {base_rev!r}; must name a commit (a branch, tag or hash)", file=sys.stderr)
        return 2
    commit = resolved.stdout.strip()
    with tempfile.TemporaryDirectory() as scratch:
        worktree = Path(scratch) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(worktree), commit], cwd=ROOT, check=True
        )
        try:
            synthesize(worktree, Path(scratch) / "base-out")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
        synthesize(ROOT, Path(scratch) / "head-out")
        lines = list(report(load(Path(scratch) / "base-out"), load(Path(scratch) / "head-out")))
    print("\n".join(lines) if lines else f"no change to the manifests since {base_rev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

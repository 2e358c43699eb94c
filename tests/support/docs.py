"""The Python examples of a docs page, run as a reader would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from testbed.paths import REPO_ROOT


def python_blocks(page: Path) -> list[str]:
    """The page's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


def run_examples(page: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the page's blocks one after the other, in one session, in ``folder``.

    ``app.synth()`` writes dist/ there (in a subprocess, as jsii's Node keeps
    the working directory it started in).
    """
    script = folder / "examples.py"
    script.write_text("\n".join(python_blocks(page)), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )

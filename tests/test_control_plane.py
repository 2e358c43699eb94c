"""The control plane's process bookkeeping (scripts/control_plane.py): which PID is still ours."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from testbed.paths import script

control_plane = script("control_plane")


def _state(tmp_path: Path, pid: int) -> Path:
    (tmp_path / "pids").mkdir()
    (tmp_path / "pids" / "etcd").write_text(str(pid))
    return tmp_path


def test_a_process_mid_exec_is_starting_but_never_one_to_kill(tmp_path: Path) -> None:
    # Until exec has laid out the new program's arguments, /proc/PID/cmdline reads empty,
    # as a kernel thread's always does: alive while starting, never ours to signal.
    kthreadd = 2
    assert Path(f"/proc/{kthreadd}/cmdline").read_bytes() == b""
    state = _state(tmp_path, kthreadd)

    assert control_plane._alive(state, "etcd", starting=True)
    assert control_plane._pid(state, "etcd") is None


def test_an_exited_process_is_gone_even_before_it_is_reaped(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    state = _state(tmp_path, child.pid)

    assert not control_plane._alive(state, "etcd", starting=True)
    child.wait()


def test_a_process_this_state_dir_started_is_ours(tmp_path: Path) -> None:
    (tmp_path / "pids").mkdir()
    # The state dir in its arguments, as the control plane's processes have it.
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", str(tmp_path)])
    try:
        (tmp_path / "pids" / "etcd").write_text(str(process.pid))
        deadline = time.monotonic() + 10
        while control_plane._pid(tmp_path, "etcd") != process.pid:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()

"""Password hashes: OWASP's Argon2id parameters, a bounded number at once, and old hashes upgraded at login."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from app import hash_slots, security
from app.hash_slots import HashingBusy, HashSlots
from argon2 import PasswordHasher, extract_parameters
from fastapi.testclient import TestClient

from testbed.backend import PASSWORD, register

MIB = 2**20


def test_new_hashes_use_owasps_argon2id_parameters() -> None:
    parameters = extract_parameters(security.hash_password(PASSWORD))
    assert (parameters.type.name, parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        "ID", 19 * 1024, 2, 1,
    )  # fmt: skip


def test_slots_are_counted_from_the_containers_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hash_slots, "memory_limit", lambda: 512 * MIB)
    # Half of 512 MiB, in hashes of 19 MiB.
    assert HashSlots.for_container(slot_bytes=19 * MIB).count == 13
    monkeypatch.setattr(hash_slots, "memory_limit", lambda: 16 * MIB)
    assert HashSlots.for_container(slot_bytes=19 * MIB).count == 1


def test_memory_limit_reads_the_cgroups_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v2, v1 = tmp_path / "memory.max", tmp_path / "memory.limit_in_bytes"
    monkeypatch.setattr(hash_slots, "CGROUP_MEMORY_LIMITS", (str(v2), str(v1)))
    v2.write_text("max\n")
    v1.write_text(f"{512 * MIB}\n")
    assert hash_slots.memory_limit() == 512 * MIB
    v2.write_text(f"{256 * MIB}\n")
    assert hash_slots.memory_limit() == 256 * MIB


def test_past_the_slots_a_hash_waits_then_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hash_slots, "WAIT_SECONDS", 0.2)
    slots = HashSlots(tmp_path, count=2, slot_bytes=19 * MIB)
    with slots.hold(19 * MIB), slots.hold(19 * MIB), pytest.raises(HashingBusy), slots.hold(19 * MIB):
        pass
    with slots.hold(19 * MIB):
        pass


def test_a_hash_with_a_larger_memory_cost_takes_as_many_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hash_slots, "WAIT_SECONDS", 0.2)
    slots = HashSlots(tmp_path, count=4, slot_bytes=19 * MIB)
    assert slots.weight(64 * MIB) == 4
    assert slots.weight(1024 * MIB) == 4
    with slots.hold(19 * MIB), pytest.raises(HashingBusy), slots.hold(64 * MIB):
        pass


def test_slots_are_shared_by_the_pods_processes_and_freed_when_one_ends(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time\n"
         f"fd = os.open({str(tmp_path / '0.lock')!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        slots = HashSlots(tmp_path, count=1, slot_bytes=19 * MIB)
        with pytest.raises(HashingBusy), slots.hold(19 * MIB):
            pass
    finally:
        holder.kill()
        holder.wait()
    with slots.hold(19 * MIB):
        pass


def test_a_registration_past_the_slots_gets_503_with_retry_after(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(hash_slots, "WAIT_SECONDS", 0.2)
    slots = HashSlots(tmp_path, count=1, slot_bytes=19 * MIB)
    monkeypatch.setattr(security, "_slots", slots)
    # Another request's hash holds the only slot.
    with slots.hold(19 * MIB):
        response = client.post("/api/auth/register", json={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(hash_slots.RETRY_AFTER_SECONDS)
    # Nothing was stored: the same email registers once the slot is free.
    assert (
        client.post("/api/auth/register", json={"email": "ada@example.com", "password": PASSWORD}).status_code
        == 201
    )


def test_login_rehashes_a_password_hashed_with_older_parameters(
    client: TestClient, database_url: str
) -> None:
    register(client, "old@example.com")
    # argon2-cffi's defaults before: 64 MiB, 3 iterations, 4 lanes.
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE users SET password_hash = %s WHERE email = 'old@example.com'", (old,))
    response = client.post("/api/auth/login", json={"email": "old@example.com", "password": PASSWORD})
    assert response.status_code == 200
    with psycopg.connect(database_url) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM users WHERE email = 'old@example.com'").fetchone()
    assert extract_parameters(stored).memory_cost == 19 * 1024
    assert (
        client.post("/api/auth/login", json={"email": "old@example.com", "password": PASSWORD}).status_code
        == 200
    )

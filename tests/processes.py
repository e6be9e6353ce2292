"""Real processes for the tests of `comptoir serve` and of the job worker: their environment
(the test database), their descendants, whether they still run."""

import os
import socket
import sys
import time
from pathlib import Path

from tests.scenarios.test_import_crash import ROOT, database_url

COMPTOIR = [sys.executable, "-m", "comptoir"]


def environment(tmp_path, **extra: str) -> dict:
    """A separate process on the test database, with the production settings module."""
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    return {
        **env,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
        "COMPTOIR_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, and by those, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running (a zombie, ended but not yet reaped, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = 60, what: str = ""):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"waited {seconds} s for {what or condition}"
        time.sleep(0.1)
    return result

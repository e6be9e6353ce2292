"""Starting the simulator as its own process, for the tests of the simulator and of its clients."""

import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from comptoir.pasim import REFUSING_BUYER

OPTIONS = ("--port", "0", "--quiet", "--refuse", REFUSING_BUYER)


@contextmanager
def running_simulator(*extra: str):
    """The base URL of a simulator started in its own process on a free port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "comptoir", "pa-simulator", *OPTIONS, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        line = process.stdout.readline()
        found = re.search(r"http://\S+", line)
        assert found, f"the simulator did not start: {line}{process.stderr.read()}"
        yield found[0]
    finally:
        process.terminate()
        process.wait(10)

"""The simulator's flows kept in a file between runs (the demo's `comptoir serve --simulator`),
so that invoices sent before a restart still move through their statuses after it."""

import os
import pickle
import threading
from pathlib import Path

from comptoir.pasim.platform import Platform

KEPT = ("flows", "tracked", "suffixes", "_last")


def load(platform: Platform, path: Path) -> None:
    """The state saved at ``path`` into ``platform``; nothing when there is none yet or when
    it cannot be read (a simulator starts empty rather than not at all)."""
    try:
        saved = pickle.loads(Path(path).read_bytes())  # a file this simulator wrote itself
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return
    with platform.lock:
        for name in KEPT:
            if name in saved:
                setattr(platform, name, saved[name])


_WRITING = threading.Lock()  # the server answers in threads: one write at a time


def save(platform: Platform, path: Path) -> None:
    """Write the state through a temporary name: a simulator stopped mid-write keeps the last."""
    with _WRITING:
        with platform.lock:
            data = pickle.dumps({name: getattr(platform, name) for name in KEPT})
        partial = Path(f"{path}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)

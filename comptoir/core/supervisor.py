"""The child processes of `comptoir serve`: the job worker, started again whenever it ends,
and the production web server; all stopped when serve stops, even when it is killed."""

import ctypes
import os
import signal
import subprocess
import threading
import time

PARENT_ENV = "COMPTOIR_SERVE_PID"
PR_SET_PDEATHSIG = 1


def child_env(**extra: str) -> dict:
    """The environment of a child that must end with this process (see stop_with_parent)."""
    return {**os.environ, **extra, PARENT_ENV: str(os.getpid())}


def stop_with_parent() -> None:
    """In a child of `comptoir serve`: receive SIGTERM when serve ends, even killed (Linux)."""
    parent = os.environ.pop(PARENT_ENV, None)
    if not parent:
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return  # not Linux: serve still stops its children when a signal stops it
    if os.getppid() != int(parent):
        raise SystemExit(0)  # serve ended before the request above was made


def stop_on_signals() -> None:
    """SIGTERM, like SIGINT, unwinds the main thread (so its ``finally`` stops the children);
    a second signal meanwhile is ignored rather than cutting the stopping short."""

    def stop(signum, frame):
        for name in ("SIGINT", "SIGTERM"):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        raise KeyboardInterrupt

    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), stop)


def start(argv: list[str], **env: str) -> subprocess.Popen:
    """A child in its own process group: a Ctrl-C in the terminal reaches serve only, which
    stops its children in order."""
    return subprocess.Popen(argv, env=child_env(**env), process_group=0)


def stop(processes, timeout: float) -> None:
    """SIGTERM to each process, then SIGKILL to those still running after ``timeout``."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class KeptRunning:
    """A child process started again whenever it ends (waiting longer after each quick end,
    up to ``MAX_DELAY``), until ``stop``."""

    FIRST_DELAY, MAX_DELAY, STEADY = 0.5, 30.0, 60.0

    def __init__(self, argv: list[str], name: str, log):
        self.argv, self.name, self.log = argv, name, log
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        # The thread that starts the children lives as long as they do (stop_with_parent
        # ends a child when the thread that started it ends).
        self.thread = threading.Thread(target=self.watch, name=name, daemon=True)

    def start(self) -> "KeptRunning":
        self.thread.start()
        return self

    def watch(self) -> None:
        delay = self.FIRST_DELAY
        while True:
            with self.lock:
                if self.stopping.is_set():
                    return
                self.process = start(self.argv)
            began = time.monotonic()
            code = self.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - began > self.STEADY:
                delay = self.FIRST_DELAY
            self.log(
                f"The {self.name} stopped (exit code {code}); starting it again in {delay:g} s."
            )
            if self.stopping.wait(delay):
                return
            delay = min(2 * delay, self.MAX_DELAY)

    def halt(self) -> list[subprocess.Popen]:
        """Start it no more; its process, for ``stop``."""
        with self.lock:
            self.stopping.set()
            return [self.process] if self.process is not None else []

    def stop(self, timeout: float) -> None:
        stop(self.halt(), timeout)
        self.thread.join(timeout=1)

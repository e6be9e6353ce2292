"""`comptoir serve` with real processes and real signals: its job worker is started again when
it dies, and nothing of serve is left running once a signal stopped it."""

import json
import os
import signal
import subprocess
import urllib.request

import pytest

from tests.processes import (
    COMPTOIR,
    ROOT,
    alive,
    command_line,
    descendants,
    environment,
    free_port,
    wait_for,
)


def job_workers(serve: subprocess.Popen) -> list[int]:
    return [pid for pid in descendants(serve.pid) if " worker " in f"{command_line(pid)} "]


def stopped(serve: subprocess.Popen, signum: int) -> list[int]:
    """Stop serve with ``signum``; the processes it had started."""
    started = descendants(serve.pid)
    serve.send_signal(signum)
    assert serve.wait(timeout=60) == 0
    return started


@pytest.mark.django_db(transaction=True)
def test_serve_starts_its_worker_again_and_stops_it_on_sigterm(tmp_path):
    serve = subprocess.Popen(
        [*COMPTOIR, "serve", f"127.0.0.1:{free_port()}"], cwd=ROOT, env=environment(tmp_path)
    )
    try:
        [worker] = wait_for(lambda: job_workers(serve), what="the job worker")
        wait_for(lambda: "worker" in command_line(worker))
        # pages come first: the worker runs at a lower priority than the web
        niced = min(os.getpriority(os.PRIO_PROCESS, serve.pid) + 10, 19)  # tests may run niced
        wait_for(lambda: os.getpriority(os.PRIO_PROCESS, worker) == niced, what="a niced worker")
        subprocess.run(["kill", "-KILL", str(worker)], check=True)
        [again] = wait_for(
            lambda: [p for p in job_workers(serve) if p != worker], what="a new worker"
        )

        started = stopped(serve, signal.SIGTERM)
    finally:
        serve.kill()
        serve.wait()

    assert again in started
    assert [pid for pid in started if alive(pid)] == []


@pytest.mark.django_db(transaction=True)
def test_serve_production_serves_with_gunicorn_and_static_files_and_stops_on_sigint(tmp_path):
    port = free_port()
    env = environment(
        tmp_path,
        DEBUG="false",
        SECRET_KEY="a-production-key-for-this-test-only-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
    )
    serve = subprocess.Popen(
        [*COMPTOIR, "serve", "--production", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        login = wait_for(lambda: fetch(f"{url}/"), 120, "the web server")
        htmx = fetch(f"{url}/static/vendor/htmx/htmx.min.js")
        processes = descendants(serve.pid)
        gunicorn = [p for p in processes if "gunicorn" in command_line(p)]
        workers = job_workers(serve)

        started = stopped(serve, signal.SIGINT)
    finally:
        serve.kill()
        serve.wait()

    assert login.status == 200 and "gunicorn" in login.headers["Server"]
    assert htmx.status == 200 and htmx.headers["Content-Encoding"] == "gzip"
    assert len(gunicorn) == 3  # the arbiter and its two web processes
    assert len(workers) == 1
    assert [pid for pid in started if alive(pid)] == []


@pytest.mark.django_db(transaction=True)
def test_serve_runs_the_platform_simulator_beside_and_stops_it(tmp_path):
    port = free_port()
    serve = subprocess.Popen(
        [*COMPTOIR, "serve", f"127.0.0.1:{free_port()}", "--no-worker", "--simulator", str(port)],
        cwd=ROOT,
        env=environment(tmp_path),
    )
    try:
        [simulator] = wait_for(
            lambda: [p for p in descendants(serve.pid) if "pa-simulator" in command_line(p)],
            what="the simulator",
        )
        answer = wait_for(lambda: simulator_token(port), 60, "the simulator's token address")

        started = stopped(serve, signal.SIGTERM)
    finally:
        serve.kill()
        serve.wait()

    assert answer["token_type"] == "Bearer"
    assert simulator in started and not alive(simulator)
    assert (tmp_path / "pa-simulator.state").is_file()  # its flows outlive it


def simulator_token(port: int) -> dict | None:
    from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET

    form = f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/oauth/token", data=form.encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except OSError:
        return None


def fetch(url: str):
    """The response (after redirections), or None while nothing listens."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response
    except OSError:
        return None


def test_make_run_serves_on_the_port_given():
    def command(*argv):
        # Outside the make that may be running the tests (its flags would name directories)
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        done = subprocess.run(
            ["make", "--no-print-directory", "-n", "run", *argv],
            cwd=ROOT,
            capture_output=True,
            env=env,
        )
        return done.stdout.decode().splitlines()[-1]

    assert command("PORT=8080").endswith("comptoir serve 127.0.0.1:8080 --simulator")
    assert command().endswith("comptoir serve 127.0.0.1:8000 --simulator")


def test_a_wrong_web_concurrency_is_refused_with_exit_code_2(tmp_path):
    done = subprocess.run(
        [*COMPTOIR, "serve", "--production", "--no-worker"],
        cwd=ROOT,
        env=environment(tmp_path, WEB_CONCURRENCY="many"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 2
    assert "WEB_CONCURRENCY" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_the_worker_ends_even_when_serve_is_killed(tmp_path):
    serve = subprocess.Popen(
        [*COMPTOIR, "serve", f"127.0.0.1:{free_port()}"], cwd=ROOT, env=environment(tmp_path)
    )
    try:
        [worker] = wait_for(lambda: job_workers(serve), what="the job worker")
    finally:  # before or after the worker has started: it ends either way
        serve.kill()
        serve.wait()

    wait_for(lambda: not alive(worker), 30, "the worker to end")

"""The load test: concurrent users against the production server, on one fresh database.

Usage: python -m bench.load [--users N] [--seconds S] [--requests N] [--database-url URL]
Seeds the database (customers, items, issued invoices, orders, draft invoices to issue), starts
the production server on 127.0.0.1 and runs locust headless (bench/locustfile.py): the users
arrive at --spawn-rate a second, each works about one action a second, and the run stops after
--seconds or --requests requests, whichever comes first. Prints one JSON object: the
conditions, per kind of request the count, rate and p50/p95/p99, the errors by kind and the
invoices issued a second.
"""

import argparse
import json
import os
import random
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.setup import (
    database_name,
    make_customers,
    make_items,
    make_requests,
    prepare_database,
)

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def say(what: str) -> None:
    print(f"load: {what} ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)


def production_server(port: int, workers: int, env: dict, log) -> list[subprocess.Popen]:
    """The production server on 127.0.0.1:port: web processes and the job worker (which makes
    the PDF and XML of the invoices issued), in the foreground, stopped by SIGTERM."""
    bind = f"127.0.0.1:{port}"
    commands = [[BIN / "comptoir", "serve", "--production", bind, "--workers", str(workers)]]
    return [subprocess.Popen(command, env=env, stdout=log, stderr=log) for command in commands]


def wait_until_up(url: str, processes: list[subprocess.Popen], log_path: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    sys.exit(f"the server did not start:\n{log_path.read_text()[-3000:]}")


def warm_up(host: str, plan: dict, workers: int) -> None:
    """Ask each kind of page a few times at once, so every web process has loaded its code
    (as a server that has been up a while has) before the timings start."""
    web = {"Cookie": f"sessionid={plan['sessions'][0]}"}
    api = {"Authorization": f"Bearer {plan['token']}"}
    urls = [(url, web) for url in plan["lists"]]
    urls += [(f"/invoices/{plan['invoices'][0]}/", web), ("/api/invoices?limit=50", api)]

    def ask(url_and_headers):
        url, headers = url_and_headers
        with urllib.request.urlopen(urllib.request.Request(host + url, headers=headers)) as page:
            page.read()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(ask, urls * workers))


def cpu_seconds(processes: list[subprocess.Popen]) -> dict[str, float]:
    """The CPU time the server's web processes and its job worker have used so far."""
    import psutil

    used = {"web": 0.0, "jobs": 0.0}
    for process in processes:
        parent = psutil.Process(process.pid)
        for member in [parent, *parent.children(recursive=True)]:
            times = member.cpu_times()
            used["jobs" if "worker" in member.cmdline() else "web"] += times.user + times.system
    return used


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(args, rnd: random.Random, workdir: Path) -> dict:
    """The data the users work on, and what they need to ask for it (the plan)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.pages import bulk_invoices
    from comptoir.billing.models import Invoice
    from comptoir.billing.services import create_invoices
    from comptoir.core.services import create_token
    from comptoir.sales.services import confirm_orders, create_orders

    customers = make_customers(args.customers)
    items = make_items(args.items, rnd)
    today = timezone.localdate()
    bulk_invoices(args.invoices, customers, items, today, rnd)
    orders = create_orders(make_requests(args.orders, customers, items, rnd))
    confirm_orders(orders)
    drafts = create_invoices(make_requests(args.requests // 5, customers, items, rnd))
    user = User.objects.create_superuser("bench", "bench@example.fr", secrets.token_hex())
    _token, key = create_token(user, "load test")
    sessions = []
    for _user in range(args.users):  # one session each, as if each had logged in
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    if connection.vendor == "postgresql":  # its autovacuum gathers statistics on a live base
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    issued = list(
        Invoice.objects.filter(status=Invoice.Status.ISSUED).values_list("pk", flat=True)[:1000]
    )
    codes = [c.code for c in customers]
    return {
        "sessions": sessions,
        "csrf": secrets.token_hex(16),  # 32 characters: the cookie's secret, sent back as is
        "token": key,
        "today": today.isoformat(),
        "customers": codes,
        "customer_ids": [c.pk for c in rnd.sample(customers, min(200, len(customers)))],
        "items": [i.code for i in items],
        "invoices": issued,
        "orders": [o.pk for o in orders],
        "drafts": [d.pk for d in drafts],
        "lists": [
            "/invoices/",
            f"/invoices/?q={rnd.choice(codes)}",
            "/invoices/?sort=-total_gross",
            "/sales/orders/",
            "/customers/",
            "/receivables/",
        ],
        "result": str(workdir / "result.json"),
        "data": {
            "customers": len(customers),
            "items": len(items),
            "issued invoices": args.invoices,
            "confirmed orders": len(orders),
            "draft invoices": len(drafts),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="the longest the run lasts")
    parser.add_argument(
        "--requests", type=int, default=0, help="stop after that many (default: 2 × users × s)"
    )
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--workers", type=int, default=2 * len(os.sched_getaffinity(0)) + 1)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=10_000, help="issued, written in bulk")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    args.requests = args.requests or 2 * args.users * args.seconds
    workdir = Path(tempfile.mkdtemp())
    # The server's settings, set before the sessions are made (they are signed with the key).
    os.environ |= {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_HSTS_SECONDS": "0",
        "COMPTOIR_VAR_DIR": str(workdir),
    }
    prepare_database(args.database_url)  # and DEBUG off, plain HTTP on the loopback
    say("seeding")
    plan = seed(args, random.Random(5), workdir)
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan))

    from django.db import connections

    connections.close_all()
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    env = os.environ | {"COMPTOIR_LOAD_PLAN": str(plan_path)}
    log_path = workdir / "server.log"
    load_before = os.getloadavg()
    with log_path.open("w") as log:
        say("starting the server")
        server = production_server(port, args.workers, env, log)
        try:
            wait_until_up(f"{host}/login/", server, log_path)
            warm_up(host, plan, args.workers)
            say(f"{args.users} users for at most {args.seconds} s or {args.requests} requests")
            command = [
                BIN / "locust",
                "--locustfile",
                HERE / "locustfile.py",
                "--headless",
                "--host",
                host,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.seconds}s",
                "--max-requests",
                str(args.requests),
                "--stop-timeout",
                "10",
                "--only-summary",
                "--loglevel",
                "ERROR",
                "--exit-code-on-error",
                "0",
            ]
            server_cpu = cpu_seconds(server)
            locust_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=args.seconds + 120
            )
            server_cpu = {k: v - server_cpu[k] for k, v in cpu_seconds(server).items()}
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust_cpu = used.ru_utime + used.ru_stime - locust_cpu.ru_utime - locust_cpu.ru_stime
            if locust.returncode != 0 or not Path(plan["result"]).exists():
                sys.exit(f"locust failed:\n{locust.stderr[-3000:]}")
        finally:
            say("stopping the server")
            stop(server)
    load_after = os.getloadavg()
    result = json.loads(Path(plan["result"]).read_text())

    from django_tasks_db.models import DBTaskResult

    from comptoir.billing.models import Invoice

    issued = Invoice.objects.filter(pk__in=plan["drafts"], status=Invoice.Status.ISSUED).count()
    requests = sum(row["requests"] for row in result["requests"] if row["name"] == "all requests")
    report = {
        "database": database_name(),
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "run_time_s": args.seconds,
        "max_requests": args.requests,
        "server": f"gunicorn, {args.workers} workers, and the job worker",
        "data": plan["data"],
        **result,
        "invoices_issued": issued,
        "issued_per_s": round(issued / result["seconds"], 1),
        "jobs_waiting": DBTaskResult.objects.ready().count(),
        # What a request costs the server, whatever else the machine runs: its web processes,
        # and the job worker making the files of the invoices issued.
        "cpu_ms_per_request": round(1000 * server_cpu["web"] / max(1, requests), 1),
        "jobs_cpu_s": round(server_cpu["jobs"], 1),
        "locust_cpu_s": round(locust_cpu, 1),
        "load_average": [round(x, 1) for x in (load_before[0], load_after[0])],
    }
    if result["errors"]:
        report["server_log"] = log_path.read_text()[-2000:]
    say("done")
    print(json.dumps(report))


if __name__ == "__main__":
    main()

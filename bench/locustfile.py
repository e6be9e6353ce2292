"""The users of the load test (run by `python -m bench.load`, not directly).

Each user works about one action a second: list pages, document pages, live totals of a
document form being typed (htmx), invoices issued and reads through the API (Bearer token).
What to ask is in the plan file named by COMPTOIR_LOAD_PLAN (sessions, token, ids), written by
bench.load after it seeded the database; every request's time and outcome are written, when
locust quits, to the file the plan names. ``--max-requests`` stops the run after that many.
"""

import json
import math
import os
import random
import time
from collections import Counter, defaultdict
from itertools import count
from pathlib import Path

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import CatchResponseError

PLAN = json.loads(Path(os.environ["COMPTOIR_LOAD_PLAN"]).read_text(encoding="utf-8"))
DRAFTS = list(PLAN["drafts"])  # each issued once: users take them from one list
SESSIONS = count()
TIMES: dict[str, list[float]] = defaultdict(list)
ERRORS: Counter = Counter()
SPAN = {"first": None, "last": None}


class Clerk(FastHttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        session = PLAN["sessions"][next(SESSIONS) % len(PLAN["sessions"])]
        self.web = {"Cookie": f"sessionid={session}; csrftoken={PLAN['csrf']}"}
        self.api = {"Authorization": f"Bearer {PLAN['token']}"}

    def ask(self, method, url, name, headers, expect=200, **options):
        """One request; any answer but ``expect`` (a redirect to the login page too) fails."""
        with self.client.request(
            method,
            url,
            name=name,
            headers=headers,
            catch_response=True,
            allow_redirects=False,
            **options,
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}")

    @task(3)
    def list_page(self):
        url = random.choice(PLAN["lists"])
        self.ask("GET", url, "list page", self.web)

    @task(3)
    def document_page(self):
        pattern, key = random.choice(
            [
                ("/invoices/{}/", "invoices"),
                ("/sales/orders/{}/", "orders"),
                ("/customers/{}/", "customer_ids"),
            ]
        )
        self.ask("GET", pattern.format(random.choice(PLAN[key])), "document page", self.web)

    @task(2)
    def live_totals(self):
        form = {"customer": random.choice(PLAN["customers"]), "date": PLAN["today"]}
        for index in range(5):
            item = random.choice(PLAN["items"])
            form |= {
                f"lines-{index}-item": item,
                f"lines-{index}-priced_item": item,
                f"lines-{index}-quantity": str(random.randint(1, 10)),
            }
        headers = self.web | {"HX-Request": "true", "X-CSRFToken": PLAN["csrf"]}
        self.ask("POST", "/invoices/new/", "live totals (htmx)", headers, data=form)

    @task(1)
    def issue_invoice(self):
        if not DRAFTS:
            return self.api_read()
        url = f"/api/invoices/{DRAFTS.pop()}/issue"
        self.ask("POST", url, "issue an invoice (API)", self.api)

    @task(2)
    def api_read(self):
        url = random.choice(
            [
                "/api/invoices?limit=50",
                f"/api/invoices/{random.choice(PLAN['invoices'])}",
                f"/api/customers?limit=50&q={random.choice(PLAN['customers'])}",
            ]
        )
        self.ask("GET", url, "API read", self.api)


@events.request.add_listener
def record(name, response_time, exception, start_time=None, **_kwargs):
    TIMES[name].append(response_time)
    SPAN["first"] = SPAN["first"] or start_time or time.time()
    SPAN["last"] = time.time()
    if exception:
        kind = (
            str(exception)
            if isinstance(exception, CatchResponseError)
            else f"{type(exception).__name__}: {exception}"[:120]
        )
        ERRORS[f"{name}: {kind}"] += 1
    limit = _ENVIRONMENT[0].parsed_options.max_requests
    if limit and sum(map(len, TIMES.values())) == limit:
        gevent.spawn(_ENVIRONMENT[0].runner.quit)


_ENVIRONMENT = []


@events.init.add_listener
def keep(environment, **_kwargs):
    _ENVIRONMENT.append(environment)


@events.init_command_line_parser.add_listener
def options(parser):
    parser.add_argument("--max-requests", type=int, default=0, help="stop after this many")


def percentile(times: list[float], share: float) -> float:
    """The nearest-rank percentile of response times (ms)."""
    ordered = sorted(times)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 1)


def summary(name: str, times: list[float], failures: int, seconds: float) -> dict:
    return {
        "name": name,
        "requests": len(times),
        "failures": failures,
        "per_s": round(len(times) / seconds, 1),
        "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95),
        "p99_ms": percentile(times, 0.99),
        "max_ms": round(max(times), 1),
    }


@events.quitting.add_listener
def write(environment, **_kwargs):
    seconds = max((SPAN["last"] or 0) - (SPAN["first"] or 0), 1e-3)
    failures = Counter()
    for kind, n in ERRORS.items():
        failures[kind.split(": ")[0]] += n
    rows = [summary(name, TIMES[name], failures[name], seconds) for name in sorted(TIMES)]
    everything = [t for times in TIMES.values() for t in times]
    if everything:
        rows.append(summary("all requests", everything, sum(ERRORS.values()), seconds))
    result = {"seconds": round(seconds, 1), "requests": rows, "errors": dict(ERRORS)}
    Path(PLAN["result"]).write_text(json.dumps(result), encoding="utf-8")

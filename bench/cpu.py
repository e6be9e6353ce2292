"""CPU time per request, in-process, for each kind of request the load test asks.

    DATABASE_URL=postgres://…/a_seeded_load_test_copy python -m bench.cpu [--n 20] [--profile KIND]

Asks each page ``n`` times through Django's test client (after one warm-up request) and prints
the process CPU time per request: what the server spends, whatever else the machine runs.
The database must hold the load test's data (``python -m bench.load`` seeds one); nothing is
written (the live totals price a form without saving it).
"""

import argparse
import os
import secrets
import time


def requests(client_ids: dict) -> dict[str, tuple]:
    """kind → (method, url, data, headers)."""
    hx = {"HTTP_HX_REQUEST": "true"}
    form = {"customer": client_ids["customer_code"], "date": client_ids["today"]}
    for index, item in enumerate(client_ids["items"]):
        form |= {
            f"lines-{index}-item": item,
            f"lines-{index}-priced_item": item,
            f"lines-{index}-quantity": str(index + 1),
        }
    return {
        "list: invoices": ("get", "/invoices/", None, {}),
        "list: invoice search": ("get", f"/invoices/?q={client_ids['customer_code']}", None, {}),
        "list: invoices by amount": ("get", "/invoices/?sort=-total_gross", None, {}),
        "list: orders": ("get", "/sales/orders/", None, {}),
        "list: customers": ("get", "/customers/", None, {}),
        "list: receivables": ("get", "/receivables/", None, {}),
        "page: invoice": ("get", f"/invoices/{client_ids['invoice']}/", None, {}),
        "page: order": ("get", f"/sales/orders/{client_ids['order']}/", None, {}),
        "page: customer": ("get", f"/customers/{client_ids['customer']}/", None, {}),
        "live totals": ("post", "/invoices/new/", form, hx),
        "api: invoice list": ("get", "/api/invoices?limit=50", None, {}),
        "api: one invoice": ("get", f"/api/invoices/{client_ids['invoice']}", None, {}),
        "api: customer search": (
            "get",
            f"/api/customers?limit=50&q={client_ids['customer_code']}",
            None,
            {},
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.cpu")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--only", default="", help="kinds whose name contains this")
    parser.add_argument("--profile", default="", help="print a pyinstrument profile of a kind")
    parser.add_argument("--stats", default="", help="print the functions a kind spends most in")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    os.environ.setdefault("DEBUG", "0")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG off refuses the built-in
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from comptoir.billing.models import Invoice
    from comptoir.catalog.models import Item
    from comptoir.core.services import create_token
    from comptoir.parties.models import Customer
    from comptoir.sales.models import SalesOrder as Order

    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    web = Client(enforce_csrf_checks=False)
    web.force_login(user)
    _token, key = create_token(user, "cpu measure")
    customer = Customer.objects.order_by("pk").first()
    ids = {
        "customer": customer.pk,
        "customer_code": customer.code,
        "invoice": Invoice.objects.filter(status="issued").order_by("pk").first().pk,
        "order": Order.objects.order_by("pk").first().pk,
        "items": list(Item.objects.order_by("pk").values_list("code", flat=True)[:5]),
        "today": "2026-12-07",
    }
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    print(f"{'request':28} {'CPU ms':>8} {'wall ms':>8}")
    for kind, (method, url, data, headers) in requests(ids).items():
        if args.only not in kind:
            continue
        headers = headers | (api if kind.startswith("api") else {})

        def ask(method=method, url=url, data=data, headers=headers, kind=kind):
            response = getattr(web, method)(url, data, **headers)
            if response.status_code != 200:
                raise SystemExit(f"{kind}: HTTP {response.status_code}")

        ask()  # warm-up: imports, template compiling
        if args.profile and args.profile in kind:
            from pyinstrument import Profiler

            with Profiler(interval=0.0005) as profiler:
                for _ in range(args.n):
                    ask()
            print(
                profiler.output_text(
                    unicode=True, color=False, show_all=bool(os.environ.get("SHOW_ALL"))
                )
            )
            continue
        if args.stats and args.stats in kind:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                for _ in range(args.n):
                    ask()
            pstats.Stats(profile).sort_stats("tottime").print_stats(35)
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.n):
            ask()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{kind:28} {1000 * cpu / args.n:8.1f} {1000 * wall / args.n:8.1f}")


if __name__ == "__main__":
    main()

"""A record's address, reversed once per kind of page, is the one Django reverses."""

import pytest
from django.urls import reverse, set_script_prefix

from comptoir.core.links import record_url

PAGES = [
    "billing:invoice",
    "catalog:item",
    "catalog:price_list",
    "sales:quotation",
    "sales:order",
    "parties:customer",
    "imports:partner",
    "imports:batch",
    "payments:payment",
    "stock:warehouse",
    "stock:delivery",
    "stock:return",
    "purchasing:order",
]


@pytest.mark.parametrize("prefix", ["/", "/comptoir/"])
def test_record_urls_are_the_reversed_ones(prefix):
    set_script_prefix(prefix)
    try:
        for name in PAGES:
            for pk in (1, 7, 918273645, 2**40):
                assert record_url(name, pk) == reverse(name, args=[pk])
    finally:
        set_script_prefix("/")

"""The address of a record's page, reversed once per kind of page: a list of 50 invoices
asks for 50 addresses that differ only by their ids."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = "918273645"  # an id, standing for the record's own while the address is reversed


@functools.cache
def _around_id(name: str, prefix: str, urlconf) -> tuple[str, str]:
    before, found, after = reverse(name, args=[int(_PLACEHOLDER)]).partition(_PLACEHOLDER)
    if not found or _PLACEHOLDER in after:
        raise ValueError(f"{name}: the address must hold the id once")
    return before, after


def record_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a page whose only argument is the record's id."""
    before, after = _around_id(name, get_script_prefix(), get_urlconf())
    return f"{before}{int(pk)}{after}"

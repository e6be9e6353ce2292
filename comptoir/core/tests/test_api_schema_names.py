"""The API's OpenAPI document names each schema by its class name: two schemas of the same
name would overwrite each other there, and an operation would be documented (and checked by
clients) with the other's fields."""

from collections import defaultdict

from ninja import Schema

from comptoir.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_schemas_of_the_api_share_a_name():
    api.get_openapi_schema()  # every router is imported, so every schema is defined
    by_name = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("comptoir.") and ".tests" not in schema.__module__:
            by_name[schema.__name__].add(f"{schema.__module__}.{schema.__qualname__}")
    assert {name: places for name, places in by_name.items() if len(places) > 1} == {}

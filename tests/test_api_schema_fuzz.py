"""Every API operation, fed generated requests that follow its OpenAPI schema and requests that
break it, with a valid token: never a server error, never a response its schema does not allow.

Schemathesis generates the requests from the schema the API publishes; they go through the
whole Django stack (middleware, token, access table, routers) in this process, inside the test's
transaction. One test walks every operation so that the demo data is loaded once.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from comptoir import demo
from comptoir.api import api
from comptoir.core.roles import ADMINISTRATOR
from comptoir.core.services import create_token
from conftest import make_user

EXAMPLES_PER_OPERATION = 5  # of each kind: requests the schema allows, and requests it refuses

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture
def wsgi_app(db):
    """The Django application, keeping the test's database connection between requests (as the
    test client does: closing it would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    SCHEMA.app = WSGIHandler()
    yield SCHEMA.app
    SCHEMA.app = None
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _run(operation, mode: GenerationMode, headers, sent: list) -> str | None:
    """The first failure among this operation's generated requests (the requests change the
    data, so a failure is recorded as it happened rather than replayed and shrunk)."""
    failures = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def examples(case):
        if failures:
            return
        sent.append(case)
        try:
            case.call_and_validate(
                headers=headers,
                excluded_checks=[
                    # A request its schema allows may still break a business rule (an unknown
                    # customer code, an order already delivered): that is a 4xx, not a fault.
                    checks.positive_data_acceptance,
                ],
            )
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {str(exc)[:2000]}")

    examples()
    return failures[0] if failures else None


@pytest.mark.django_db
def test_every_operation_answers_generated_requests_within_its_schema(wsgi_app):
    demo.load(customers=4)
    user = make_user("fuzz", ADMINISTRATOR)
    _token, key = create_token(user, "schema fuzzing")
    headers = {"Authorization": f"Bearer {key}"}
    problems, sent = [], []
    operations = [result.ok() for result in SCHEMA.get_all_operations()]
    assert len(operations) > 100
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if operation.definition.raw.get("parameters") or operation.definition.raw.get(
            "requestBody"
        ):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            problem = _run(operation, mode, headers, sent)
            if problem:
                problems.append(f"({mode.value}) {problem}")
    assert not problems, "\n\n".join(problems)
    print(f"{len(sent)} generated requests for {len(operations)} operations")
    assert len(sent) >= 4 * len(operations)

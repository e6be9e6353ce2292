"""What the e-invoicing tests share: the platform simulator's control API, a connection to it,
an item and a French business customer."""

import json
import urllib.request

import pytest

from comptoir.einvoicing import services
from comptoir.einvoicing.client import forget_tokens
from comptoir.pasim import connection_settings


def control(base: str, action: str, **payload) -> dict:
    """Ask the simulator's control API (faults, lifecycles moving on, token lifetime)."""
    request = urllib.request.Request(
        f"{base}/_control/{action}", data=json.dumps(payload).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def settings_of(base: str, **extra) -> dict:
    """The connection's settings for the simulator at ``base``."""
    return {**connection_settings(base), **extra}


def french_business():
    from comptoir.parties.services import create_customer
    from examples.facturx import PARIS

    return create_customer(name="Client Francais", siren="732829320", addresses=PARIS)


@pytest.fixture
def connected(company, pasim):
    """The company of the examples, connected to the simulator."""
    from examples.facturx import seller

    seller()
    forget_tokens()
    yield services.save_connection(**settings_of(pasim))
    forget_tokens()


@pytest.fixture
def chair(company):
    from examples.facturx import catalogue

    return catalogue()["chair"]

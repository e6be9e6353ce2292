import pytest
from django.contrib.auth.models import User
from django.test import Client

from comptoir import demo


@pytest.fixture
def demo_client(db):
    """The demo data (12 customers), and its administrator logged in."""
    demo.load(customers=12)
    client = Client()
    client.force_login(User.objects.get(username=demo.DEMO_USER[0]))
    return client

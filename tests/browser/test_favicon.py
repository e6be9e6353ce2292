"""Comptoir's icon shows in the browser's tab: served by Comptoir itself, allowed by the
Content-Security-Policy (the page fixture fails on any refusal)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

LOAD_ICON = """() => new Promise((done) => {
    const icon = new Image();
    icon.onload = () => done(icon.naturalWidth);
    icon.onerror = () => done(0);
    icon.src = document.querySelector("link[rel=icon]").href;
})"""


def test_the_icon_is_served_locally_and_passes_the_csp(page, live_server):
    page.goto("/login/")
    href = page.get_attribute("link[rel=icon]", "href")
    assert href.startswith("/static/")
    assert page.request.get(href).status == 200
    assert page.evaluate(LOAD_ICON) > 0

"""The rows of every list are rendered in Python (one string per row, not a template per
cell): the page must read exactly as the per-cell template rendered it."""

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client

from comptoir import demo
from comptoir.web.tests.test_pages import LISTS

# The rows as the list template rendered them, one include per cell.
CELL = Template(
    '{% load i18n comptoir %}{% if cell.kind == "money" %}{{ cell.value|money }}'
    '{% elif cell.kind == "date" %}{{ cell.value|date:"SHORT_DATE_FORMAT" }}'
    '{% elif cell.kind == "quantity" %}{{ cell.value|quantity }}'
    '{% elif cell.kind == "status" %}<span class="badge {{ cell.css }}">{{ cell.value }}</span>'
    '{% elif cell.kind == "bool" %}{{ cell.value|yesno }}'
    '{% else %}{{ cell.value|default_if_none:"" }}{% endif %}'
)
ROWS = Template(
    "{% for row in page.rows %}\n    <tr>\n      {% for cell in row.cells %}\n"
    '      <td class="{{ cell.kind }}">{% if forloop.first and row.url %}'
    '<a href="{{ row.url }}">{% include cell_template %}</a>'
    "{% else %}{% include cell_template %}{% endif %}</td>\n      {% endfor %}\n    </tr>\n"
    "    {% endfor %}"
)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_list_rows_read_as_the_per_cell_template_rendered_them(db, language):
    demo.load(customers=12)
    client = Client()
    client.force_login(User.objects.get(username=demo.DEMO_USER[0]))
    client.cookies["django_language"] = language
    checked = 0
    for url in LISTS:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        page = (response.context or {}).get("page")
        if page is None or not hasattr(page, "rows") or not page.rows:
            continue
        from django.utils import translation

        with translation.override(language):
            expected = ROWS.render(Context({"page": page, "cell_template": CELL}))
        assert expected in response.content.decode(), url
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("language", ["fr", "en"])
def test_list_dates_read_as_the_date_filter_writes_them(language):
    import datetime

    from django.template import defaultfilters
    from django.utils import translation

    from comptoir.core.listing import short_date

    with translation.override(language):
        for value in (datetime.date(2026, 12, 7), datetime.date(2000, 1, 31), None):
            assert short_date(value) == defaultfilters.date(value, "SHORT_DATE_FORMAT")

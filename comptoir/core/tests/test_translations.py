"""French first, English too: every message has its French translation, and the API speaks the
language the client asks for (French by default)."""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

from comptoir.core.money import parse_decimal

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES"
ENTRY = re.compile(r'^(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.M)


def _text(quoted: str) -> str:
    joined = "".join(re.findall(r'"(.*)"', quoted))
    return joined.replace('\\"', '"').replace("\\n", "\n")


def test_every_message_is_translated_and_compiled():
    po = (CATALOGUE / "django.po").read_text()
    assert "#, fuzzy" not in po
    entries = [(_text(c), _text(i), _text(s)) for c, i, s in ENTRY.findall(po + "\n")][1:]
    assert [msgid for _context, msgid, msgstr in entries if not msgstr] == []
    with (CATALOGUE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def translated(context, msgid):
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [msgid for context, msgid, msgstr in entries if translated(context, msgid) != msgstr]
    assert stale == [], "run `make messages` to compile the catalogue"


def test_french_messages_keep_a_no_break_space_before_high_punctuation():
    """French typography: « : ; ! ? » and the closing guillemet take a no-break space before
    them, the opening guillemet one after it, so that a line never starts with « : »."""
    po = (CATALOGUE / "django.po").read_text()
    entries = [(_text(i), _text(s)) for _c, i, s in ENTRY.findall(po + "\n")][1:]
    plain = re.compile(r"\S [:;!?»]|« ")
    assert [msgstr for _msgid, msgstr in entries if plain.search(msgstr)] == []


def test_messages_follow_the_active_language():
    with translation.override("fr"), pytest.raises(Exception) as french:
        parse_decimal("abc")
    assert str(french.value) == "«\u00a0abc\u00a0» n’est pas un nombre."
    with translation.override("en"), pytest.raises(Exception) as english:
        parse_decimal("abc")
    assert str(english.value) == "“abc” is not a number."


@pytest.mark.django_db
def test_the_api_answers_in_french_by_default_and_in_english_on_request(api):
    payload = {"customer": "NOPE", "lines": [{"quantity": "1", "description": "x"}]}
    assert api.post("/invoices", payload).json()["message"] == "Client introuvable\u00a0: NOPE"
    response = api.client.post(
        "/api/invoices", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["message"] == "Customer not found: NOPE"

"""Form widgets shared by every app."""

from django import forms
from django.urls import reverse


class SearchPicker(forms.Widget):
    """A record chosen by searching as one types, for lists too long for a ``<select>``.

    The visible box shows the chosen record's name and asks ``url_name`` (htmx) for the
    records matching what is typed: ``<li role="option" data-value data-label>``. The hidden
    input holds the value the form reads (a code); ``web/picker.js`` links the two.
    """

    template_name = "core/picker.html"

    def __init__(self, url_name: str, *, label=None, query: str = "", attrs=None):
        super().__init__(attrs)
        self.url_name = url_name
        self.query = query  # narrows the options, e.g. "stocked=1"
        self.label = label  # value → what the box shows; else the choice's own name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse(self.url_name)
        context["widget"]["url"] = f"{url}?{self.query}" if self.query else url
        context["widget"]["label"] = self._label(value)
        context["widget"]["aria_label"] = context["widget"]["attrs"].get("aria-label", "")
        return context

    def format_value(self, value):
        return "" if value is None else str(value)

    def _label(self, value) -> str:
        if value in (None, ""):
            return ""
        if self.label is not None:
            return self.label(value) or str(value)
        choices = getattr(self, "choices", None)
        queryset = getattr(choices, "queryset", None)
        if queryset is None:
            return str(value)
        key = choices.field.to_field_name or "pk"
        chosen = queryset.filter(**{key: getattr(value, key, value)}).first()
        return str(chosen) if chosen else str(value)

"""Submit a rendered HTML form as a browser would: what the admin tests post.

Browsers send every field of the form, each textarea's line breaks as ``\\r\\n``
(HTML's form submission rules), checked boxes only, and the selected options.
"""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=False)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append(
                (name, unescape(attrs.get("value", "on" if kind == "checkbox" else "")))
            )
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, unescape(attrs.get("value", ""))))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = unescape("".join(self._text))
            # HTML drops one newline right after <textarea>; the submitted value uses CRLF.
            text = text.removeprefix("\n").replace("\r\n", "\n").replace("\n", "\r\n")
            self.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_entityref(self, name):
        if self._textarea is not None:
            self._text.append(f"&{name};")

    def handle_charref(self, name):
        if self._textarea is not None:
            self._text.append(f"&#{name};")


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The data a browser submits for the form ``form_id`` of ``html``, unchanged by the user."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data

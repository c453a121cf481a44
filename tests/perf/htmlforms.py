"""Fill and submit the shop's HTML forms by their labels and button texts, as a person would.

The load scripts speak plain HTTP (no browser), yet should rely on the same public contract as
the browser journeys (labels and button texts from CONTRACT.md), not on field names.
"""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Control:
    tag: str
    type: str
    name: str
    value: str
    id: str = ""
    checked: bool = False
    options: list[tuple[str, str, bool]] = field(default_factory=list)  # value, text, selected
    label: str = ""
    fieldset: str = ""  # legend of the innermost fieldset around the control


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # text, name, value

    def data(self, button: str, fill: dict | None = None) -> dict[str, list[str]]:
        """The values a browser would submit after filling `fill` and pressing `button`.

        Keys of `fill` are labels, or (fieldset legend, label) pairs where a label repeats
        (e.g. ("Shipping address", "Full name")); values are text or, for a select, an option's
        value or text. A radio group with nothing checked gets its first choice, as if picked.
        """
        overrides = {}
        for key, value in (fill or {}).items():
            legend, label = key if isinstance(key, tuple) else (None, key)
            matches = [
                control
                for control in self.controls
                if control.label == label and legend in {None, control.fieldset}
            ]
            if len(matches) != 1:
                labels = sorted({(c.fieldset, c.label) for c in self.controls if c.label})
                raise LookupError(f"{len(matches)} fields match {key!r}; fields: {labels}")
            overrides[id(matches[0])] = value
        data: dict[str, list[str]] = {}
        radio_groups_checked = {c.name for c in self.controls if c.type == "radio" and c.checked}
        for control in self.controls:
            if not control.name:
                continue
            value = overrides.get(id(control))
            if control.type == "radio":
                if control.name in radio_groups_checked:
                    if not control.checked:
                        continue
                else:
                    radio_groups_checked.add(control.name)
                data.setdefault(control.name, []).append(control.value or "on")
                continue
            if control.type == "checkbox":
                checked = control.checked if value is None else value in {True, "on", "1"}
                if checked:
                    data.setdefault(control.name, []).append(control.value or "on")
                continue
            if control.tag == "select":
                value = self._option_value(control, value)
            elif value is None:
                value = control.value
            data.setdefault(control.name, []).append(value)
        text, name, value = self._button(button)
        if name:
            data.setdefault(name, []).append(value)
        return data

    def _button(self, text):
        for button in self.buttons:
            if button[0] == text:
                return button
        raise LookupError(f"no button {text!r}; buttons: {[b[0] for b in self.buttons]}")

    @staticmethod
    def _option_value(control, wanted):
        if wanted is None:
            chosen = [value for value, _, selected in control.options if selected]
            return chosen[0] if chosen else (control.options[0][0] if control.options else "")
        for value, text, _ in control.options:
            if wanted in {value, text}:
                return value
        raise LookupError(f"{control.label!r} has no option {wanted!r}")


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.labels_for: dict[str, str] = {}
        self._form = None
        self._label = None  # [for, text, wrapped controls]
        self._select = None
        self._option = None
        self._button = None
        self._textarea = None
        self._legends: list[str] = []  # one per open fieldset
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        a = {key: value or "" for key, value in attrs}
        if tag == "fieldset":
            self._legends.append("")
        elif tag == "legend":
            self._in_legend = True
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "label":
            self._label = [a.get("for", ""), "", []]
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image"}:
                self._form.buttons.append((a.get("value", ""), a.get("name", ""), a.get("value")))
                return
            control = Control(
                "input",
                kind,
                a.get("name", ""),
                a.get("value", ""),
                a.get("id", ""),
                "checked" in a,
            )
            self._add(control)
        elif tag == "select":
            self._select = Control("select", "select", a.get("name", ""), "", a.get("id", ""))
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea":
            self._textarea = Control("textarea", "textarea", a.get("name", ""), "", a.get("id", ""))
            self._add(self._textarea)
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._button = ["", a.get("name", ""), a.get("value", "")]

    def _add(self, control):
        control.fieldset = _clean(self._legends[-1]) if self._legends else ""
        self._form.controls.append(control)
        if self._label is not None:
            self._label[2].append(control)

    def handle_data(self, data):
        if self._in_legend and self._legends:
            self._legends[-1] += data
        if self._label is not None:
            self._label[1] += data
        if self._option is not None:
            self._option[1] += data
        if self._button is not None:
            self._button[0] += data
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "legend":
            self._in_legend = False
        elif tag == "fieldset" and self._legends:
            self._legends.pop()
        if tag == "form":
            self._form = None
        elif tag == "label" and self._label is not None:
            target, text, wrapped = self._label
            text = _clean(text)
            if target:
                self.labels_for[target] = text
            for control in wrapped:
                control.label = control.label or text
            self._label = None
        elif tag == "option" and self._option is not None:
            value, text, selected = self._option
            text = _clean(text)
            self._select.options.append((text if value is None else value, text, selected))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button" and self._button is not None and self._form is not None:
            text, name, value = self._button
            self._form.buttons.append((_clean(text), name, value))
            self._button = None


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        for control in form.controls:
            if control.id in parser.labels_for:
                control.label = parser.labels_for[control.id]
    return parser.forms


def form_with_button(html: str, button: str) -> Form:
    for form in forms_in(html):
        if any(text == button for text, _, _ in form.buttons):
            return form
    raise LookupError(f"no form with a {button!r} button on the page")


class Customer:
    """One visitor over plain HTTP: keeps cookies, follows redirects, submits forms."""

    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.timeout = timeout
        self.url = self.base_url + "/"
        self.html = ""

    def get(self, path: str) -> str:
        return self._open(urllib.parse.urljoin(self.url, path))

    def submit(self, button: str, fill: dict[str, str] | None = None) -> str:
        """Press `button` in the current page's form that has it, after filling `fill`."""
        form = form_with_button(self.html, button)
        data = urllib.parse.urlencode(form.data(button, fill), doseq=True)
        action = urllib.parse.urljoin(self.url, form.action or self.url)
        if form.method == "post":
            return self._open(action, data.encode(), referer=self.url)
        return self._open(f"{action}?{data}")

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)

    def _open(self, url, data=None, referer=None):
        if not url.startswith(self.base_url):
            raise ValueError(f"refusing to leave {self.base_url}: {url}")
        request = urllib.request.Request(url, data=data)
        if referer:
            request.add_header("Referer", referer)
        with self.opener.open(request, timeout=self.timeout) as response:
            self.url = response.geturl()
            self.html = response.read().decode()
        return self.html

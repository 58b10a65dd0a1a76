"""Reading a rendered form back as a person sees it: what each field holds, the errors beside it."""

from html.parser import HTMLParser


class FormState(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str | list[str] | bool] = {}
        self.errors: dict[str, list[str]] = {}
        self.buttons: dict[str, dict[str, str]] = {}
        self._select: str | None = None
        self._errors_for: str | None = None
        self._li = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and a.get("type") == "checkbox":
            if name == "platforms":
                self.values.setdefault(name, [])
                if "checked" in a:
                    self.values[name].append(a["value"])  # type: ignore[union-attr]
            else:
                self.values[name] = "checked" in a
        elif tag == "input" and a.get("type") != "hidden":
            self.values[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self.values[name] = ""
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "ul" and "data-errors-for" in a:
            self._errors_for = a["data-errors-for"]
        elif tag == "li" and self._errors_for:
            self._li = True
        elif tag == "button" and a.get("value"):
            self.buttons[a["value"]] = a

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "ul":
            self._errors_for = None
        elif tag == "li":
            self._li = False

    def handle_data(self, data):
        if self._li and self._errors_for:
            self.errors.setdefault(self._errors_for, []).append(data.strip())


def form_state(response) -> FormState:
    return FormState(response.content.decode())

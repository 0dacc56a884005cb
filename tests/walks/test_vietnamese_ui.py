"""Everything a user sees is Vietnamese: every admin page (list, add, change, history) of every model and
every site page, as each role, is searched for the English that Django's admin, the audit trail and the
login throttle show when their own catalogues leave it untranslated."""
import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin

from tests.walks.test_scoping_walk import foreign, walk_urls  # noqa: F401

pytestmark = pytest.mark.slow  # every page of the site as each role

# Phrases seen in English on these pages before (and their kin): whole words, case-sensitive.
ENGLISH = [
    "Please correct", "View history", "Show counts", "Hide counts", "Change reason", "Changed by", "Object",
    "Comment", "entries", "entry", "None", "Skip to main content", "Toggle", "Breadcrumbs", "Sidebar",
    "Add link", "Loaded version", "Change History", "This object doesn't have", "Access attempts",
    "Access failures", "Access logs", "Axes", "Auth Token", "Tokens", "Model name", "Welcome", "Log out",
    "View site", "Change password", "Save and", "Delete", "History", "Filter", "Search", "results",
    "active", "dissolved", "moved", "merged", "split", "join",
]
PATTERN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(p) for p in ENGLISH) + r")(?![\w-])")


class VisibleText(HTMLParser):
    """Text a user reads: text nodes outside scripts and styles, and the labels of buttons and titles."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name in ("title", "aria-label", "placeholder"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def english_in(html):
    parser = VisibleText()
    parser.feed(html)
    return sorted({match.group(1) for part in parser.parts for match in PATTERN.finditer(part)})


def admin_pages(foreign):  # noqa: F811
    urls = ["/admin/", "/admin/password_change/"]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, f"{base}add/"]
        pk = foreign.get(model._meta.label_lower) or getattr(model._default_manager.order_by("pk").first(), "pk",
                                                                     None)
        if pk is not None:
            urls += [f"{base}{pk}/change/", f"{base}{pk}/history/"]
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "district", "commune", "leader", "other_commune"])
def test_no_english_on_any_page(client, users, foreign, role):  # noqa: F811
    from households.models import Household

    household = Household.objects.get(pk=foreign["households.household"])
    # Changes, so history pages list them: a text, a choice (shown by its label, not "active → moved") and
    # a date from nothing.
    household.address, household.status, household.left_on = "Thôn Mới", "moved", datetime.date(2025, 1, 2)
    household.save()
    client.force_login(users[role])
    found = {}
    for url in admin_pages(foreign) + walk_urls(foreign):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        words = english_in(response.content.decode())
        if words:
            found[url] = words
    # A form with errors: Django's "Please correct the error below."
    invalid = client.post("/admin/households/household/add/", {"code": ""})
    if invalid.status_code == 200:
        words = english_in(invalid.content.decode())
        if words:
            found["POST /admin/households/household/add/"] = words
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in sorted(found.items()))


def test_the_check_finds_english():
    """Control: the walker flags what it should, and leaves Vietnamese alone."""
    assert english_in('<p>Please correct the error below.</p><a title="View history">x</a>') == [
        "Please correct", "View history"]
    assert english_in("<p>Hộ đang cư trú — Đăk Tô</p><script>var None;</script>") == []

"""Issue 26.2: every form of ours that writes (method="post") is on a page that loads static/js/once.js — the
site's base template or the admin's — or sends itself through a script that disables its button (the upload).
A template added outside those bases, or a base that stops loading the script, fails here. (The upload, whose
script sends the file itself, is tried in a browser: tests/e2e/test_double_click_browser.py.)"""
import re
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode

BASES = {"base.html", "admin/base_site.html"}  # each loads static/js/once.js
POST_FORM = re.compile(r"<form\b[^>]*method=[\"']?post", re.IGNORECASE)


def our_templates():
    """(name, path) of every template in the project's folders and its apps' (not the installed packages')."""
    base = Path(settings.BASE_DIR)
    folders = [base / "templates", *sorted(p for p in base.glob("*/templates") if p.parent.name != "templates")]
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            yield str(path.relative_to(folder)), path


def bases_of(name):
    """The chain of templates `name` extends, itself first."""
    chain = [name]
    while True:
        nodes = get_template(chain[-1]).template.nodelist.get_nodes_by_type(ExtendsNode)
        if not nodes:
            return chain
        parent = nodes[0].parent_name.resolve({})
        if parent in chain:  # an override extending the template of its own name
            return chain
        chain.append(parent)


def test_both_bases_load_once_js():
    for name in BASES:
        assert "js/once.js" in Path(get_template(name).origin.name).read_text(), name


def test_every_post_form_of_ours_is_on_a_page_that_loads_once_js():
    checked, outside = [], []
    for name, path in our_templates():
        if not POST_FORM.search(path.read_text()):
            continue
        checked.append(name)
        if name in BASES:
            continue
        if not BASES & set(bases_of(name)):
            outside.append(name)
    assert len(checked) >= 7, checked  # the worksheet, regular review, import, admin pages, the logout
    assert outside == [], f"post forms without once.js: {outside}"


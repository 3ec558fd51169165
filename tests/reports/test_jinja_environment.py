"""The report's Jinja2 environment: Django's regroup, plurals from the catalogue, the portal's
language rules with the language passed in, and nothing printed for a missing value."""

from types import SimpleNamespace

import pytest
from django.utils import translation
from jinja2 import DebugUndefined

from reports.jinja_environment import Group, environment, plural, regroup


def test_regroup_keeps_the_order_of_the_runs_as_djangos_regroup_does():
    items = [SimpleNamespace(strength=s, n=n) for n, s in enumerate("bbab")]

    groups = regroup(items, "strength")

    # Jinja2's own groupby sorts first and would give a, b with three b's.
    assert [(g.grouper, [i.n for i in g.list]) for g in groups] == [
        ("b", [0, 1]),
        ("a", [2]),
        ("b", [3]),
    ]
    assert groups[0] == Group("b", items[:2])


@pytest.mark.parametrize(
    ("language", "n", "text"),
    [
        ("en", 1, "1 gap closed (provisions)"),
        ("en", 2, "2 gaps closed (provisions)"),
        ("ja", 2, "解消したギャップ 2 件（条項）"),
    ],
)
def test_plural_messages_come_from_the_catalogue_with_their_count(language, n, text):
    with translation.override(language):
        assert plural("gaps_closed", n) == text


def test_a_missing_value_prints_nothing_even_where_django_would_debug_it():
    # Django's backend asks for DebugUndefined when DEBUG is on; a report must not print "{{ x }}".
    env = environment(undefined=DebugUndefined, autoescape=True)

    assert env.from_string("[{{ missing }}|{{ meta.missing }}]").render(meta={}) == "[|]"


def test_the_language_is_the_one_the_template_passes_not_the_active_one():
    env = environment(autoescape=True)
    template = env.from_string(
        '{{ p|loc("title", lang) }} · {{ "9"|article_label(lang) }} · {{ "gap"|status_label(lang) }}'
    )
    provision = SimpleNamespace(title_ja="透明性", title_en="Transparency")

    with translation.override("en"):
        assert template.render(p=provision, lang="ja") == "透明性 · 第9条 · ギャップ"
    with translation.override("ja"):
        assert template.render(p=provision, lang="en") == "Transparency · Art. 9 · Gap"


def test_user_text_is_escaped_and_translations_are_djangos():
    env = environment(autoescape=True)
    template = env.from_string('{{ _("Scope") }}: {{ name }}')

    with translation.override("ja"):
        assert template.render(name="<b>x</b>") == "スコープ: &lt;b&gt;x&lt;/b&gt;"

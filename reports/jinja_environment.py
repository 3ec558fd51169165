"""The Jinja2 environment of the report's template, ``reports/jinja2/reports/report.html``.

The report is the one template in Tekigo written for Jinja2 (``TEMPLATES`` names this module;
every page stays a Django template). Why: the report of the largest assessment prints about
nine thousand values, and Django's engine resolves each through its generic variable lookup
and filter chain: 31 ms of the pipeline's 97 ms of own CPU (the rest is WeasyPrint's 1.9 s).
Jinja2 compiles a template to Python code and renders the same HTML in 7.5 ms. Issue 14 asked
for the whole pipeline to add at most 5 % to WeasyPrint's time.

The template uses the same functions as the rest of the portal, so each rule keeps one home:
``loc`` and ``article_label`` from ``portal/templatetags/tekigo.py``, the labels from
``reports/labels.py`` (the exports use them too), Django's own ``filesizeformat``,
``linebreaksbr`` and ``truncatechars``. The template passes its ``lang``
to the ones that depend on the language: ``{{ p|loc("title", lang) }}``.

Translations: ``{{ _("Scope") }}`` is Django's ``gettext``, and ``makemessages`` reads it from
the template as it reads ``{{ _("…") }}`` in a Django template, so the messages stay in the
catalogue (``tests/portal/test_translations.py`` checks that none is lost). makemessages does
not read Jinja2's own ``{% trans %}`` blocks, so messages with a plural live in
:data:`PLURALS`, where it reads them from Python: ``{{ plural("gaps_closed", 3) }}``.
"""

from __future__ import annotations

import itertools
import operator
from typing import Any, NamedTuple

from django.template.defaultfilters import filesizeformat, linebreaksbr, truncatechars
from django.templatetags.static import static
from django.utils.translation import gettext, ngettext_lazy
from jinja2 import Environment, Undefined

from portal.templatetags.tekigo import article_label, loc
from reports import labels

#: Messages with a count, by name; ``%(n)s`` is the count.
PLURALS = {
    "watch_only": ngettext_lazy(
        "%(n)s reported claim, watch only, no score.",
        "%(n)s reported claims, watch only, no score.",
        "n",
    ),
    "gaps_closed": ngettext_lazy(
        "%(n)s gap closed (provisions)", "%(n)s gaps closed (provisions)", "n"
    ),
    "gaps_opened": ngettext_lazy(
        "%(n)s gap newly opened (provisions)", "%(n)s gaps newly opened (provisions)", "n"
    ),
}


def plural(name: str, n: int) -> str:
    """The message ``name`` of :data:`PLURALS` for the count ``n``, in the active language.

    Example: ``plural("gaps_closed", 1)`` → ``"1 gap closed (provisions)"``.
    """
    return PLURALS[name] % {"n": n}


class Group(NamedTuple):
    grouper: Any
    list: list


def regroup(items, attribute: str) -> list[Group]:
    """Runs of consecutive ``items`` with the same ``attribute``, in their order, as Django's
    ``{% regroup %}`` makes them (Jinja2's ``groupby`` sorts first, which would reorder them).

    Example: items with strengths a, a, b → ``[Group("a", [i1, i2]), Group("b", [i3])]``.
    """
    return [
        Group(key, list(run))
        for key, run in itertools.groupby(items, key=operator.attrgetter(attribute))
    ]


def environment(**options) -> Environment:
    """The environment Django's Jinja2 backend renders the report with."""
    # Django's backend picks DebugUndefined when DEBUG is on, which prints "{{ name }}" for a
    # missing value; a report prints nothing for it, as the Django template did, in every setting.
    options["undefined"] = Undefined
    env = Environment(**options)
    env.globals.update(_=gettext, plural=plural, static=static)
    env.filters.update(
        loc=loc,
        article_label=article_label,
        filesizeformat=filesizeformat,
        linebreaksbr=linebreaksbr,
        truncatechars=truncatechars,
        regroup=regroup,
        ref_in=labels.ref_in,
        iso_datetime=labels.iso_datetime,
        percent=labels.percent,
        points=labels.points,
        status_label=labels.status_label,
        severity_label=labels.severity_label,
        strength_label=labels.strength_label,
        legal_status_label=labels.legal_status_label,
        kind_label=labels.kind_label,
        kind_heading=labels.kind_heading,
        enforcement_label=labels.enforcement_label,
        confidence_label=labels.confidence_label,
        stage_label=labels.stage_label,
    )
    return env

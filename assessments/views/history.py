"""The history page and its CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.forms import HistoryFilterForm

from ._shared import _language


@login_required
def history(request, pk: int):
    """The assessment's history as people read it, filtered, paged, or as CSV (``?format=csv``)."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    form = HistoryFilterForm(
        request.GET or None,
        choices=selectors.history_filter_choices(
            assessment=access.assessment, language=_language()
        ),
    )
    valid = form.is_valid() or not form.is_bound
    filters = form.filters()  # the valid fields still apply; the invalid ones are named
    events = selectors.assessment_history_list(assessment=access.assessment, **filters)
    entries = selectors.history_entry_list(
        assessment=access.assessment, events=events, language=_language()[:2]
    )
    if request.GET.get("format") == "csv":
        return _history_csv(access.assessment, entries)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/history.html",
        {
            "access": access,
            "assessment": access.assessment,
            "form": form,
            "page": page,
            "entries": page.object_list,
            "subject": filters.get("subject"),
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


HISTORY_PAGE_SIZE = 50


def _history_csv(assessment, entries) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel opens Japanese text correctly."""
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [_("When"), _("Who"), _("What"), _("Times"), _("Question"), _("Before"), _("After")]
    )
    for e in entries:
        writer.writerow(
            [
                e.occurred_at.isoformat(),
                e.actor_name,
                e.event_label,
                e.count,
                e.question.prompt_ja
                if e.question and _language().startswith("ja")
                else (e.question.prompt_en if e.question else e.subject),
                "\n".join(f"{c.label}: {c.before}" for c in e.changes),
                "\n".join(f"{c.label}: {c.after}" for c in e.changes),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="history-{assessment.pk}.csv"'
    return response

"""Marking a whole section not applicable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services

# --- A whole section not applicable ------------------------------------------------------------


@login_required
@require_POST
def section_not_applicable(request, pk: int, section_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    if access.is_limited:
        raise PermissionDenied("Only officers mark whole sections not applicable.")
    try:
        services.section_not_applicable(
            actor=request.user,
            assessment=access.assessment,
            section_id=section_pk,
            justification=request.POST.get("justification", ""),
        )
    except services.BulkAnswerError as exc:
        messages.error(request, " ".join(e["message"] for e in exc.errors))
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "section" in exc.message_dict:
            raise Http404("No such section.") from None
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The section is marked not applicable."))
    return redirect("assessments:section", pk=pk, section_pk=section_pk)

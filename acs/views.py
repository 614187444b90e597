"""ACS pages: refer, triage, the case, caseloads and the published figures. Thin: parse input,
call a selector or service, render. Changes are logged as case events by the services and as
access events (CHANGE) here, where the request is known."""

import csv
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from acs import forms, selectors, services
from acs.charts import bar_chart
from acs.models import AcsCase, PartnerReferral
from audit.models import AccessEvent
from audit.services import access_record
from customers.selectors import customer_get_for_user, restricted_reason_in_session
from support_needs.selectors import support_need_panel

Action = AccessEvent.Action
CASES_PER_PAGE = 50


def _customer_page_url(customer: Any) -> str | None:
    try:
        return reverse("customers:detail", kwargs={"public_id": customer.public_id})
    except NoReverseMatch:
        return None


# Referral ---------------------------------------------------------------------------------


@login_required
@permission_required("acs.refer_customer", raise_exception=True)
def refer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    customer = customer_get_for_user(
        public_id=public_id,
        user=request.user,
        request=request,
        what="ACS referral form",
        action=Action.VIEW_FRAGMENT,
    )
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.acs_referral_create(
                customer=customer, referred_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            access_record(
                request=request,
                action=Action.CHANGE,
                what="acs referral",
                customer=customer,
                detail={"case": referral.case.reference},
            )
            messages.success(
                request, f"Referral sent to the ACSSL team: case {referral.case.reference}"
            )
            return redirect(_customer_page_url(customer) or request.path)
    else:
        access_record(
            request=request,
            action=Action.VIEW_FRAGMENT,
            what="acs referral form",
            customer=customer,
        )
    return render(
        request,
        "acs/refer.html",
        {
            "customer": customer,
            "form": form,
            "case_summary": selectors.acs_case_summary_for_customer(
                customer=customer, user=request.user
            ),
            "customer_page_url": _customer_page_url(customer),
        },
        status=400 if form.errors else 200,
    )


# Triage and caseloads --------------------------------------------------------------------


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def triage(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.acs_triage_queue(user=request.user), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    access_record(
        request=request,
        action=Action.VIEW_FRAGMENT,
        what="acs triage",
        detail={"cases": len(page.object_list)},
    )
    context = {"cases": page.object_list, "page_obj": page, "assign_form": forms.AssignForm()}
    return render(request, "acs/triage.html", context)


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def my_cases(request: HttpRequest) -> HttpResponse:
    caseload = selectors.acs_caseload_for_user(user=request.user)
    access_record(
        request=request,
        action=Action.VIEW_FRAGMENT,
        what="acs my cases",
        detail={"cases": len(caseload.cases)},
    )
    page = Paginator(caseload.cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "acs/my_cases.html", {"caseload": caseload, "page_obj": page})


@login_required
@permission_required("acs.view_team_caseload", raise_exception=True)
def team(request: HttpRequest) -> HttpResponse:
    team_caseload = selectors.acs_team_caseload(user=request.user)
    access_record(request=request, action=Action.VIEW_FRAGMENT, what="acs team caseload")
    return render(request, "acs/team.html", team_caseload)


# The case ---------------------------------------------------------------------------------


def _case_forms(case: AcsCase) -> dict[str, Any]:
    return {
        "assign": forms.AssignForm(prefix="assign", initial={"owner": case.owner_id}),
        "status": forms.StatusForm(prefix="status", initial={"status": case.status}),
        "risk": forms.RiskForm(prefix="risk"),
        "categories": forms.CategoriesForm(
            prefix="categories", initial={"categories": [c.code for c in case.categories.all()]}
        ),
        "review": forms.ReviewForm(prefix="review", initial={"review_on": case.next_review_on}),
        "action": forms.ActionForm(prefix="action", initial={"owner": case.owner_id}),
        "note": forms.NoteForm(prefix="note", notes=case.notes.all()),
        "partner": forms.PartnerReferralForm(prefix="partner"),
        "visit": forms.ReasonForm(prefix="visit"),
        "escalate": forms.EscalationForm(prefix="escalate"),
        "close": forms.CloseForm(prefix="close"),
        "reopen": forms.ReasonForm(prefix="reopen"),
    }


def _render_case(
    request: HttpRequest, case: AcsCase, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    case_forms = _case_forms(case) | (bound or {})
    return render(
        request,
        "acs/case.html",
        {
            "case": case,
            "customer": case.customer,
            "forms": case_forms,
            "open_section": next(iter(bound), "") if bound else "",
            "customer_page_url": _customer_page_url(case.customer),
            "today": timezone.localdate(),
            "need_panel": support_need_panel(customer=case.customer, user=request.user),
        },
        status=status,
    )


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = selectors.acs_case_get_for_user(public_id=public_id, user=request.user)
    # The customer page's rule for a restricted record: a cleared colleague says why first,
    # then comes back to the case; the audit keeps the reason.
    reason = ""
    if case.customer.restricted:
        reason = restricted_reason_in_session(request=request, customer=case.customer)
        if not reason:
            url = reverse(
                "customers:restricted-reason", kwargs={"public_id": case.customer.public_id}
            )
            return redirect(f"{url}?{urlencode({'next': request.path})}")
    access_record(
        request=request,
        action=Action.VIEW_CUSTOMER,
        what="acs case",
        customer=case.customer,
        detail={"case": case.reference},
        reason=reason,
    )
    return _render_case(request, case)


def _case_change(
    request: HttpRequest,
    public_id: uuid.UUID,
    name: str,
    make_form: Callable[[AcsCase], Any],
    perform: Callable[[AcsCase, dict[str, Any]], Any],
    done: str,
    anchor: str = "",
) -> HttpResponse:
    """One change to a case: validate the form, call the service, log, redirect (or re-show)."""
    case = selectors.acs_case_get_for_user(public_id=public_id, user=request.user)
    form = make_form(case)
    if form.is_valid():
        try:
            perform(case, form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            access_record(
                request=request,
                action=Action.CHANGE,
                what=f"acs case {name}",
                customer=case.customer,
                detail={"case": case.reference},
            )
            messages.success(request, done)
            url = reverse("acs:case", kwargs={"public_id": case.public_id})
            return redirect(f"{url}#{anchor or name}")
    # Re-read so the page shows the case as it is, with this form's errors.
    case = selectors.acs_case_get_for_user(public_id=public_id, user=request.user)
    return _render_case(request, case, {name: form}, status=400)


def _case_post(
    name: str,
    form_class: type,
    perform: Callable[[AcsCase, dict[str, Any], Any], Any],
    done: str,
    anchor: str = "",
    form_kwargs: Callable[[AcsCase], dict[str, Any]] = lambda case: {},
) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    @permission_required("acs.manage_acs_case", raise_exception=True)
    def view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
        return _case_change(
            request,
            public_id,
            name,
            lambda case: form_class(request.POST, prefix=name, **form_kwargs(case)),
            lambda case, data: perform(case, data, request.user),
            done,
            anchor,
        )

    view.__name__ = f"case_{name}"
    return view


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
def take(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = selectors.acs_case_get_for_user(public_id=public_id, user=request.user)
    try:
        services.acs_case_assign(case=case, owner=request.user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("acs:triage")
    access_record(
        request=request,
        action=Action.CHANGE,
        what="acs case take",
        customer=case.customer,
        detail={"case": case.reference},
    )
    messages.success(request, f"You have taken case {case.reference}")
    return redirect("acs:case", public_id=case.public_id)


assign = _case_post(
    "assign",
    forms.AssignForm,
    lambda case, d, by: services.acs_case_assign(case=case, owner=d["owner"], by=by),
    "Case assigned",
)
status = _case_post(
    "status",
    forms.StatusForm,
    lambda case, d, by: services.acs_case_status_change(case=case, status=d["status"], by=by),
    "Status changed",
)
risk = _case_post(
    "risk",
    forms.RiskForm,
    lambda case, d, by: services.acs_case_risk_set(
        case=case, level=d["level"], reason=d["reason"], by=by
    ),
    "Risk level set",
)
categories = _case_post(
    "categories",
    forms.CategoriesForm,
    lambda case, d, by: services.acs_case_categories_set(
        case=case, categories=d["categories"], by=by
    ),
    "Categories changed",
)
review = _case_post(
    "review",
    forms.ReviewForm,
    lambda case, d, by: services.acs_case_review_set(case=case, review_on=d["review_on"], by=by),
    "Review date set",
)
action_add = _case_post(
    "action",
    forms.ActionForm,
    lambda case, d, by: services.acs_action_add(case=case, by=by, **d),
    "Action added",
    anchor="actions",
)
note_add = _case_post(
    "note",
    forms.NoteForm,
    lambda case, d, by: services.acs_note_add(
        case=case,
        text=d["text"],
        by=by,
        corrects=next((n for n in case.notes.all() if n.pk == d["corrects"]), None)
        if d["corrects"]
        else None,
    ),
    "Note added",
    anchor="notes",
    form_kwargs=lambda case: {"notes": case.notes.all()},
)
partner_add = _case_post(
    "partner",
    forms.PartnerReferralForm,
    lambda case, d, by: services.acs_partner_referral_add(case=case, by=by, **d),
    "Partner referral recorded",
    anchor="partners",
)
visit = _case_post(
    "visit",
    forms.ReasonForm,
    lambda case, d, by: services.acs_visit_request(case=case, reason=d["reason"], by=by),
    "Home visit requested",
    anchor="visits",
)
escalate = _case_post(
    "escalate",
    forms.EscalationForm,
    lambda case, d, by: services.acs_case_escalate(
        case=case, route=d["route"], reason=d["reason"], by=by
    ),
    "Case escalated",
    anchor="escalations",
)
close = _case_post(
    "close",
    forms.CloseForm,
    lambda case, d, by: services.acs_case_close(
        case=case, outcome=d["outcome"], summary=d["summary"], by=by
    ),
    "Case closed",
    anchor="status-heading",
)
reopen = _case_post(
    "reopen",
    forms.ReasonForm,
    lambda case, d, by: services.acs_case_reopen(case=case, reason=d["reason"], by=by),
    "Case reopened",
    anchor="status-heading",
)


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
def action_complete(request: HttpRequest, public_id: uuid.UUID, action_id: int) -> HttpResponse:
    case = selectors.acs_case_get_for_user(public_id=public_id, user=request.user)
    action = next((a for a in case.actions.all() if a.pk == action_id), None)
    if action is None:
        return render(request, "errors/404.html", status=404)
    return _case_change(
        request,
        public_id,
        "action",
        lambda case: forms.AcsForm(request.POST),
        lambda case, data: services.acs_action_complete(action=action, by=request.user),
        "Action marked complete",
        anchor="actions",
    )


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
def partner_outcome(request: HttpRequest, public_id: uuid.UUID, partner_id: int) -> HttpResponse:
    case = selectors.acs_case_get_for_user(public_id=public_id, user=request.user)
    partner_referral = get_object_or_404(PartnerReferral, pk=partner_id, case=case)
    return _case_change(
        request,
        public_id,
        f"partner-outcome-{partner_id}",
        lambda case: forms.PartnerOutcomeForm(request.POST, prefix=f"outcome-{partner_id}"),
        lambda case, data: services.acs_partner_referral_outcome_record(
            partner_referral=partner_referral, outcome=data["outcome"], by=request.user
        ),
        "Partner referral outcome recorded",
        anchor="partners",
    )


def _csv_safe(value: Any) -> Any:
    """Stop a spreadsheet reading admin-entered text as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# Figures ----------------------------------------------------------------------------------


def _figures_for(request: HttpRequest) -> tuple[forms.FiguresFilterForm, Any]:
    form = forms.FiguresFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    if not request.GET:
        form = forms.FiguresFilterForm({})
        form.is_valid()
    data = form.cleaned_data
    # Show the range in use in the date boxes, also when it is the default (left blank).
    form = forms.FiguresFilterForm(
        {"date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat()}
    )
    form.is_valid()
    return form, selectors.acs_figures(
        user=request.user, date_from=data["date_from"], date_to=data["date_to"]
    )


@login_required
@permission_required("acs.view_acs_figures", raise_exception=True)
def figures(request: HttpRequest) -> HttpResponse:
    form, result = _figures_for(request)
    context: dict[str, Any] = {"form": form, "figures": result}
    if result is not None:
        context["charts"] = {
            "month": bar_chart(
                [
                    (f"{month:%b %Y}", [("Referred", r), ("Opened", o), ("Closed", c)])
                    for month, r, o, c in result.by_month
                ],
                title="Cases referred, opened and closed by month",
            ),
            "category": bar_chart(
                [(name, [("Cases", n)]) for name, n in result.by_category],
                title="Cases referred by category",
            ),
            "outcome": bar_chart(
                [(name, [("Cases", n)]) for name, n in result.by_outcome],
                title="Cases closed by outcome",
            ),
        }
    return render(request, "acs/figures.html", context, status=200 if result else 400)


@login_required
@permission_required("acs.view_acs_figures", raise_exception=True)
def figures_csv(request: HttpRequest) -> HttpResponse:
    form, result = _figures_for(request)
    if result is None:
        return render(request, "acs/figures.html", {"form": form, "figures": None}, status=400)
    access_record(
        request=request,
        action=Action.EXPORT,
        what="acs figures csv",
        detail={"date_from": result.date_from.isoformat(), "date_to": result.date_to.isoformat()},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"acs-figures-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["measure", "breakdown", "value"])
    for month, referred, opened, closed in result.by_month:
        writer.writerow(["cases referred", f"{month:%Y-%m}", referred])
        writer.writerow(["cases opened", f"{month:%Y-%m}", opened])
        writer.writerow(["cases closed", f"{month:%Y-%m}", closed])
    for name_, count in result.by_category:
        writer.writerow(["cases referred by category", _csv_safe(name_), count])
    for name_, count in result.by_outcome:
        writer.writerow(["cases closed by outcome", _csv_safe(name_), count])
    median = result.median_days_to_first_action
    writer.writerow(
        ["median days from referral to first action", "", "" if median is None else median]
    )
    writer.writerow(["actions due", "", result.actions_due])
    writer.writerow(["overdue actions still open", "", result.overdue_open])
    writer.writerow(["overdue actions completed late", "", result.overdue_completed_late])
    return response

"""ACS pages: refer, triage, the case, caseloads and the published figures. Thin: parse input,
build the audit context, call a selector or service, render. The selectors check access and log
each read; the services log each change (acs.selectors, acs.services)."""

import csv
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from acs import caseload_selectors, forms, selectors, services
from acs.charts import bar_chart
from acs.figures_selectors import suppress_below
from acs.models import AcsCase, Escalation, VisitRequest
from audit.context import AuditContext
from customers.models import Customer
from customers.selectors import ReasonRequired
from support_needs.selectors import support_need_panel

CASES_PER_PAGE = 50
CaseView = Callable[..., HttpResponse]


def _customer_page_url(customer: Customer) -> str | None:
    try:
        return reverse("customers:detail", kwargs={"public_id": customer.public_id})
    except NoReverseMatch:
        return None


def _render(
    request: HttpRequest,
    audit: AuditContext,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """An ACS page. `names_shown` (acs.selectors.acs_restricted_names_shown) tells its lists
    whether to name a restricted customer (templates/acs/includes/customer_name.html)."""
    names_shown = selectors.acs_restricted_names_shown(audit=audit)
    return render(request, template, {**context, "names_shown": names_shown}, status=status)


def _back_to_the_case(view: CaseView) -> CaseView:
    """When the selector or service asks why a restricted record is needed, the colleague says
    why on the customer's reason page and comes back to this case (not the customer page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, public_id: uuid.UUID, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, public_id, **kwargs)
        except ReasonRequired as asked:
            ask = reverse("customers:restricted-reason", args=[asked.customer.public_id])
            case_page = reverse("acs:case", kwargs={"public_id": public_id})
            return redirect(f"{ask}?{urlencode({'next': case_page})}")

    return wrapped


# Referral ---------------------------------------------------------------------------------


@login_required
@permission_required("acs.refer_customer", raise_exception=True)
def refer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    customer = selectors.acs_referral_customer_get(public_id=public_id, audit=audit)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.acs_referral_create(
                audit=audit, customer=customer, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"Referral sent to the ACSSL team: case {referral.case.reference}"
            )
            return redirect(_customer_page_url(customer) or request.path)
    return _render(
        request,
        audit,
        "acs/refer.html",
        {
            "customer": customer,
            "form": form,
            "case_summary": selectors.acs_case_summary_for_customer(customer=customer, audit=audit),
            "customer_page_url": _customer_page_url(customer),
        },
        status=400 if form.errors else 200,
    )


# Triage and caseloads --------------------------------------------------------------------


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """The first page of an ACSSL or team leader: what is due, and who is waiting."""
    audit = AuditContext.from_request(request)
    first_page = caseload_selectors.acs_first_page(audit=audit)
    return _render(request, audit, "acs/home.html", {"page": first_page})


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def untriaged_immediate_count(request: HttpRequest) -> HttpResponse:
    """The navigation's count of untriaged Immediate referrals (polled by htmx). `seen` is the
    count the page showed: when there are more now, the answer says so for the live region."""
    count = caseload_selectors.acs_untriaged_immediate_count(
        audit=AuditContext.from_request(request)
    )
    seen = request.GET.get("seen", "")
    arrived = seen.isdigit() and len(seen) < 10 and count > int(seen)
    context = {"untriaged_immediate": count, "arrived": arrived}
    response = render(request, "acs/includes/untriaged_count.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def triage(request: HttpRequest) -> HttpResponse:
    audit = AuditContext.from_request(request)
    queue = selectors.acs_triage_queue(audit=audit)
    page = Paginator(queue, CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cases": page.object_list,
        "queued": caseload_selectors.acs_triage_targets(cases=list(page.object_list)),
        "page_obj": page,
        "assign_form": forms.AssignForm(),
    }
    return _render(request, audit, "acs/triage.html", context)


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def my_cases(request: HttpRequest) -> HttpResponse:
    audit = AuditContext.from_request(request)
    caseload = selectors.acs_caseload_for_user(audit=audit)
    page = Paginator(caseload.cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(request, audit, "acs/my_cases.html", {"caseload": caseload, "page_obj": page})


@login_required
@permission_required("acs.view_team_caseload", raise_exception=True)
def team(request: HttpRequest) -> HttpResponse:
    audit = AuditContext.from_request(request)
    team_caseload = selectors.acs_team_caseload(audit=audit)
    past_target = caseload_selectors.acs_triage_past_target(audit=audit)
    context = {**team_caseload, "past_target": past_target}
    return _render(request, audit, "acs/team.html", context)


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
        "close": forms.CloseForm(prefix="close", pending=selectors.acs_case_pending(case=case)),
        "reopen": forms.ReasonForm(prefix="reopen"),
    }


def _render_case(
    request: HttpRequest,
    case: AcsCase,
    audit: AuditContext,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; `case` comes from selectors.acs_case_get (access checked, read logged)."""
    case_forms = _case_forms(case) | (bound or {})
    # Each visit request and escalation carries its own update form (bound when it failed).
    items: list[tuple[str, VisitRequest | Escalation]] = [
        *(("visit", visit) for visit in case.visit_requests.all()),
        *(("escalation", escalation) for escalation in case.escalations.all()),
    ]
    owners = list(selectors.acs_case_owners()) if items else []
    for prefix, item in items:
        name = f"{prefix}-{item.pk}"
        form = case_forms.get(name) or forms.TrackedItemForm(
            prefix=name,
            owners=owners,
            initial={
                "status": item.status,
                "owner": item.owner_id,
                "scheduled_on": item.scheduled_on,
                "outcome": item.outcome,
            },
        )
        setattr(item, "update_form", form)  # noqa: B010 (read by the template)
        setattr(item, "form_name", name)  # noqa: B010
    return _render(
        request,
        audit,
        "acs/case.html",
        {
            "case": case,
            "customer": case.customer,
            "forms": case_forms,
            "open_section": next(iter(bound), "") if bound else "",
            "customer_page_url": _customer_page_url(case.customer),
            "today": timezone.localdate(),
            "audit": audit,
            "need_panel": support_need_panel(customer=case.customer, audit=audit),
        },
        status=status,
    )


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    case = selectors.acs_case_get(public_id=public_id, audit=audit)
    return _render_case(request, case, audit)


# perform(audit, case, cleaned data) makes the change through a service.
Perform = Callable[[AuditContext, AcsCase, dict[str, Any]], Any]


def _case_change(
    request: HttpRequest,
    public_id: uuid.UUID,
    name: str,
    make_form: Callable[[AcsCase], Any],
    perform: Perform,
    done: str,
    anchor: str = "",
    pick: Callable[[AcsCase], Any] | None = None,
) -> HttpResponse:
    """One change to a case: validate the form, call the service, redirect; or show the case
    again with the form's errors, read (and logged) through the case selector.

    `pick` finds what the change is about on the case (an action, a partner referral): 404
    when it is not this case's.
    """
    audit = AuditContext.from_request(request)
    case = selectors.acs_case_get_for_change(
        public_id=public_id, audit=audit, what=f"acs case {name}"
    )
    if pick is not None and pick(case) is None:
        raise Http404("Not on this case.")
    form = make_form(case)
    if form.is_valid():
        try:
            perform(audit, case, form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, done)
            url = reverse("acs:case", kwargs={"public_id": case.public_id})
            return redirect(f"{url}#{anchor or name}")
    # Read again, so the page shows the case as it is now, with this form's errors.
    shown = selectors.acs_case_get(public_id=public_id, audit=audit)
    return _render_case(request, shown, audit, {name: form}, status=400)


def _case_post(
    name: str,
    form_class: type,
    perform: Perform,
    done: str,
    anchor: str = "",
    form_kwargs: Callable[[AcsCase], dict[str, Any]] = lambda case: {},
) -> CaseView:
    @login_required
    @require_POST
    @permission_required("acs.manage_acs_case", raise_exception=True)
    @_back_to_the_case
    def view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
        return _case_change(
            request,
            public_id,
            name,
            lambda case: form_class(request.POST, prefix=name, **form_kwargs(case)),
            perform,
            done,
            anchor,
        )

    view.__name__ = f"case_{name}"
    return view


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def take(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    audit = AuditContext.from_request(request)
    case = selectors.acs_case_get_for_change(public_id=public_id, audit=audit, what="acs case take")
    try:
        services.acs_case_take(audit=audit, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("acs:triage")
    messages.success(request, f"You have taken case {case.reference}")
    return redirect("acs:case", public_id=case.public_id)


assign = _case_post(
    "assign",
    forms.AssignForm,
    lambda audit, case, d: services.acs_case_assign(audit=audit, case=case, owner=d["owner"]),
    "Case assigned",
)
status = _case_post(
    "status",
    forms.StatusForm,
    lambda audit, case, d: services.acs_case_status_change(
        audit=audit, case=case, status=d["status"]
    ),
    "Status changed",
)
risk = _case_post(
    "risk",
    forms.RiskForm,
    lambda audit, case, d: services.acs_case_risk_set(
        audit=audit, case=case, level=d["level"], reason=d["reason"]
    ),
    "Risk level set",
)
categories = _case_post(
    "categories",
    forms.CategoriesForm,
    lambda audit, case, d: services.acs_case_categories_set(
        audit=audit, case=case, categories=d["categories"]
    ),
    "Categories changed",
)
review = _case_post(
    "review",
    forms.ReviewForm,
    lambda audit, case, d: services.acs_case_review_set(
        audit=audit, case=case, review_on=d["review_on"]
    ),
    "Review date set",
)
action_add = _case_post(
    "action",
    forms.ActionForm,
    lambda audit, case, d: services.acs_action_add(audit=audit, case=case, **d),
    "Action added",
    anchor="actions",
)
note_add = _case_post(
    "note",
    forms.NoteForm,
    lambda audit, case, d: services.acs_note_add(
        audit=audit,
        case=case,
        text=d["text"],
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
    lambda audit, case, d: services.acs_partner_referral_add(audit=audit, case=case, **d),
    "Partner referral recorded",
    anchor="partners",
)
visit = _case_post(
    "visit",
    forms.ReasonForm,
    lambda audit, case, d: services.acs_visit_request(audit=audit, case=case, reason=d["reason"]),
    "Home visit requested",
    anchor="visits",
)
escalate = _case_post(
    "escalate",
    forms.EscalationForm,
    lambda audit, case, d: services.acs_case_escalate(
        audit=audit, case=case, route=d["route"], reason=d["reason"]
    ),
    "Case escalated",
    anchor="escalations",
)


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    holder: dict[str, forms.CloseForm] = {}

    def make_form(case: AcsCase) -> forms.CloseForm:
        holder["form"] = forms.CloseForm(
            request.POST, prefix="close", pending=selectors.acs_case_pending(case=case)
        )
        return holder["form"]

    return _case_change(
        request,
        public_id,
        "close",
        make_form,
        lambda audit, case, d: services.acs_case_close(
            audit=audit, case=case, **holder["form"].close_arguments()
        ),
        "Case closed",
        anchor="status-heading",
    )


reopen = _case_post(
    "reopen",
    forms.ReasonForm,
    lambda audit, case, d: services.acs_case_reopen(audit=audit, case=case, reason=d["reason"]),
    "Case reopened",
    anchor="status-heading",
)


def _action_on(case: AcsCase, action_id: int) -> Any:
    return next((a for a in case.actions.all() if a.pk == action_id), None)


def _partner_referral_on(case: AcsCase, partner_id: int) -> Any:
    return next((p for p in case.partner_referrals.all() if p.pk == partner_id), None)


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def action_complete(request: HttpRequest, public_id: uuid.UUID, action_id: int) -> HttpResponse:
    return _case_change(
        request,
        public_id,
        "action",
        lambda case: forms.AcsForm(request.POST),
        lambda audit, case, data: services.acs_action_complete(
            audit=audit, action=_action_on(case, action_id)
        ),
        "Action marked complete",
        anchor="actions",
        pick=lambda case: _action_on(case, action_id),
    )


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def partner_outcome(request: HttpRequest, public_id: uuid.UUID, partner_id: int) -> HttpResponse:
    return _case_change(
        request,
        public_id,
        f"partner-outcome-{partner_id}",
        lambda case: forms.PartnerOutcomeForm(request.POST, prefix=f"outcome-{partner_id}"),
        lambda audit, case, data: services.acs_partner_referral_outcome_record(
            audit=audit,
            partner_referral=_partner_referral_on(case, partner_id),
            outcome=data["outcome"],
        ),
        "Partner referral outcome recorded",
        anchor="partners",
        pick=lambda case: _partner_referral_on(case, partner_id),
    )


def _visit_on(case: AcsCase, visit_id: int) -> Any:
    return next((v for v in case.visit_requests.all() if v.pk == visit_id), None)


def _escalation_on(case: AcsCase, escalation_id: int) -> Any:
    return next((e for e in case.escalations.all() if e.pk == escalation_id), None)


def _tracked_update(
    request: HttpRequest, public_id: uuid.UUID, prefix: str, item_id: int, find: Any
) -> HttpResponse:
    name = f"{prefix}-{item_id}"
    return _case_change(
        request,
        public_id,
        name,
        lambda case: forms.TrackedItemForm(request.POST, prefix=name),
        lambda audit, case, data: services.acs_tracked_item_update(
            audit=audit, item=find(case, item_id), **data
        ),
        "Home visit updated" if prefix == "visit" else "Escalation updated",
        anchor=f"{prefix}s",
        pick=lambda case: find(case, item_id),
    )


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def visit_update(request: HttpRequest, public_id: uuid.UUID, visit_id: int) -> HttpResponse:
    return _tracked_update(request, public_id, "visit", visit_id, _visit_on)


@login_required
@require_POST
@permission_required("acs.manage_acs_case", raise_exception=True)
@_back_to_the_case
def escalation_update(
    request: HttpRequest, public_id: uuid.UUID, escalation_id: int
) -> HttpResponse:
    return _tracked_update(request, public_id, "escalation", escalation_id, _escalation_on)


def _tracked_list(request: HttpRequest, kind: str) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    audit = AuditContext.from_request(request)
    items = caseload_selectors.acs_tracked_items(audit=audit, kind=kind, show_all=show_all)
    page = Paginator(items, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        audit,
        "acs/tracked_list.html",
        {
            "page_obj": page,
            "kind": kind,
            "show_all": show_all,
            "page_query": "show=all&" if show_all else "",
        },
    )


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def visits(request: HttpRequest) -> HttpResponse:
    """Every home visit request, for whoever coordinates the Visiting Service's visits."""
    return _tracked_list(request, "visits")


@login_required
@permission_required("acs.manage_acs_case", raise_exception=True)
def escalations(request: HttpRequest) -> HttpResponse:
    """Every escalation, for whoever coordinates the reviews and the Serious Case Panel."""
    return _tracked_list(request, "escalations")


def _csv_safe(value: Any) -> Any:
    """Stop a spreadsheet reading admin-entered text as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# Figures ----------------------------------------------------------------------------------


def _figures_range(request: HttpRequest) -> tuple[forms.FiguresFilterForm, Any]:
    """The figures' filter form and the range it asks for ((from, to), or None when invalid)."""
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
    return form, (data["date_from"], data["date_to"])


@login_required
@permission_required("acs.view_acs_figures", raise_exception=True)
def figures(request: HttpRequest) -> HttpResponse:
    form, chosen = _figures_range(request)
    context: dict[str, Any] = {"form": form, "suppress_below": suppress_below()}
    if chosen is None:
        return render(request, "acs/figures.html", context, status=400)
    result = selectors.acs_figures(
        audit=AuditContext.from_request(request), date_from=chosen[0], date_to=chosen[1]
    )
    context["figures"] = result
    context["date_from"] = result.date_from.isoformat()
    context["date_to"] = result.date_to.isoformat()
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
    return render(request, "acs/figures.html", context)


@login_required
@permission_required("acs.view_acs_figures", raise_exception=True)
def figures_csv(request: HttpRequest) -> HttpResponse:
    """The figures as CSV: one table (`table=<slug>`) or all of them in long form, from the
    export selector, which suppresses small counts ([c]) as in published statistics."""
    form, chosen = _figures_range(request)
    if chosen is None:
        return render(
            request,
            "acs/figures.html",
            {"form": form, "figures": None, "suppress_below": suppress_below()},
            status=400,
        )
    result = selectors.acs_figures_export(
        audit=AuditContext.from_request(request), date_from=chosen[0], date_to=chosen[1]
    )
    slug = request.GET.get("table", "")
    table = result.table(slug) if slug else None
    if slug and table is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    part = f"-{table.slug}" if table else ""
    name = f"acs-figures{part}-{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    if table is not None:
        writer.writerow([_csv_safe(column) for column in table.columns])
        for row in table.rows:
            writer.writerow([_csv_safe("" if cell is None else cell) for cell in row])
        return response
    writer.writerow(["table", "row", "measure", "value"])
    for each in result.tables:
        for row in each.rows:
            for column, cell in zip(each.columns[1:], row[1:], strict=True):
                writer.writerow(
                    [
                        each.slug,
                        _csv_safe(row[0]),
                        _csv_safe(column),
                        _csv_safe("" if cell is None else cell),
                    ]
                )
    return response

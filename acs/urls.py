"""ACS URLs, mounted under /acs/ (namespace "acs")."""

from django.urls import path

from acs import views

app_name = "acs"

urlpatterns = [
    path("", views.home, name="home"),
    path("untriaged-immediate/", views.untriaged_immediate_count, name="untriaged-immediate-count"),
    path("refer/<uuid:public_id>/", views.refer, name="refer"),
    path("triage/", views.triage, name="triage"),
    path("my-cases/", views.my_cases, name="my-cases"),
    path("team/", views.team, name="team"),
    path("figures/", views.figures, name="figures"),
    path("figures.csv", views.figures_csv, name="figures-csv"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case"),
    path("cases/<uuid:public_id>/take/", views.take, name="take"),
    path("cases/<uuid:public_id>/assign/", views.assign, name="assign"),
    path("cases/<uuid:public_id>/status/", views.status, name="status"),
    path("cases/<uuid:public_id>/risk/", views.risk, name="risk"),
    path("cases/<uuid:public_id>/categories/", views.categories, name="categories"),
    path("cases/<uuid:public_id>/review/", views.review, name="review"),
    path("cases/<uuid:public_id>/actions/", views.action_add, name="action-add"),
    path(
        "cases/<uuid:public_id>/actions/<int:action_id>/complete/",
        views.action_complete,
        name="action-complete",
    ),
    path("cases/<uuid:public_id>/notes/", views.note_add, name="note-add"),
    path("cases/<uuid:public_id>/partners/", views.partner_add, name="partner-add"),
    path(
        "cases/<uuid:public_id>/partners/<int:partner_id>/outcome/",
        views.partner_outcome,
        name="partner-outcome",
    ),
    path("cases/<uuid:public_id>/visits/", views.visit, name="visit"),
    path("cases/<uuid:public_id>/escalate/", views.escalate, name="escalate"),
    path(
        "cases/<uuid:public_id>/visits/<int:visit_id>/",
        views.visit_update,
        name="visit-update",
    ),
    path(
        "cases/<uuid:public_id>/escalations/<int:escalation_id>/",
        views.escalation_update,
        name="escalation-update",
    ),
    path("visits/", views.visits, name="visits"),
    path("escalations/", views.escalations, name="escalations"),
    path("cases/<uuid:public_id>/close/", views.close, name="close"),
    path("cases/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
]

"""Support-needs URLs (namespace "support_needs"): the panel and its forms under a customer's
opaque id, and the colleague lists. Mounted at the site root by dwpportal/urls.py."""

from django.urls import path

from support_needs import views

app_name = "support_needs"
CUSTOMER = "customers/<uuid:public_id>/support-needs/"
urlpatterns = [
    path(CUSTOMER, views.panel, name="panel"),
    path(f"{CUSTOMER}record/", views.need_record, name="record"),
    path(f"{CUSTOMER}six-point-plan/", views.six_point_plan, name="six-point-plan"),
    path(f"{CUSTOMER}<uuid:need_id>/update/", views.need_update, name="update"),
    path(f"{CUSTOMER}<uuid:need_id>/review/", views.need_review, name="review"),
    path(f"{CUSTOMER}<uuid:need_id>/end/", views.need_end, name="end"),
    path(f"{CUSTOMER}signals/<uuid:signal_id>/refer/", views.signal_refer, name="signal-refer"),
    path(
        f"{CUSTOMER}signals/<uuid:signal_id>/dismiss/", views.signal_dismiss, name="signal-dismiss"
    ),
    path(
        f"{CUSTOMER}safeguards/<uuid:safeguard_id>/",
        views.safeguard_complete,
        name="safeguard-complete",
    ),
    path("support-needs/reviews/", views.reviews_due, name="reviews-due"),
    path("support-needs/arrears-safeguards/", views.safeguards_open, name="safeguards-open"),
]

"""Customer URLs, mounted under /customers/ (namespace "customers").

Only opaque ids appear here: a customer's public_id, or a random search token. Never a NINO or
a name.
"""

from django.urls import path

from customer_view import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_search, name="search"),
    path("results/<str:token>/", views.customer_search_results, name="search-results"),
    path("<uuid:public_id>/", views.customer_detail, name="detail"),
    path("<uuid:public_id>/timeline/", views.customer_timeline, name="timeline"),
    path("<uuid:public_id>/acs-status/", views.customer_acs_status, name="acs-status"),
    path("<uuid:public_id>/interactions/", views.interaction_create, name="interaction-create"),
    path("<uuid:public_id>/reason/", views.restricted_reason, name="restricted-reason"),
]

"""Access-audit pages for colleagues, mounted under /audit/ (namespace "audit"); the full audit
is in Django admin."""

from django.urls import path

from customer_view import viewers

app_name = "audit"
urlpatterns = [
    path("customers/<uuid:public_id>/viewers/", viewers.customer_viewers, name="customer-viewers"),
]

"""Access audit pages for colleagues (the full audit is in Django admin)."""

from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("customers/<uuid:public_id>/viewers/", views.customer_viewers, name="customer-viewers"),
]

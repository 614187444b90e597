"""The DWP Colleague Portal project package: settings, URLs, Celery app."""

from dwpportal.celery import app as celery_app

__all__ = ("celery_app",)

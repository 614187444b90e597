"""WSGI entry point (gunicorn dwpportal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dwpportal.settings.base")
application = get_wsgi_application()

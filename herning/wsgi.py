"""WSGI entry point (gunicorn herning.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herning.settings")

application = get_wsgi_application()

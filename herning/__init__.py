"""herning: case management for child-welfare advisors working the Herning model.

The project package holds settings, URLs, the Celery app and the cross-cutting apps:
organisation and staff (``herning.organisation``), login (``herning.accounts``) and the shared
base pieces (``herning.core``).
"""

from herning.celery import app as celery_app

__all__ = ["celery_app"]

"""gunicorn's settings for the web process (Dockerfile, docker-compose.yml): ``gunicorn -c gunicorn.conf.py``.

A CPR number must never reach the access log (docs/access.md §5): the line has the method, the path
without its query string, the status, the size and the time taken, and no referrer (the address
of the page before, query string included). The logger class masks anything CPR-shaped that is left.
"""

import os

wsgi_app = "herning.wsgi"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
logger_class = "herning.core.web_server_log.CprSafeLogger"


def post_worker_init(worker):
    """Once the worker has loaded the application: the collector set for a long-lived process
    (herning/core/gc_tuning.py)."""
    from herning.core.gc_tuning import tune

    tune()

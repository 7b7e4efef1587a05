"""The web server's own logs (gunicorn's access and error log) never carry a CPR number.

The access log is written by gunicorn, outside Django, so neither the CPR-safe log formatter nor
the guard that refuses a CPR number in an address (herning.core.middleware) reaches it: the line is
written whatever Django answered. ``gunicorn.conf.py`` therefore logs the path without its query
string and no referrer, and names this logger class, which masks every CPR-shaped run of digits in
what is left, decoded first (``Anna+0102031234``, ``%200102031234``), in case someone widens the
format again.
"""

from __future__ import annotations

import logging

from gunicorn.glogging import Logger

from herning.core.logging import mask_cpr, mask_cpr_in_address


class _MaskMessage(logging.Filter):
    """Masks the finished message of a record of gunicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_cpr(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class CprSafeLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, _MaskMessage) for f in self.error_log.filters):
            self.error_log.addFilter(_MaskMessage())

    def atoms(self, resp, req, environ, request_time):
        """Every value an access-log line may quote (request line, query, headers), masked."""
        return {
            key: mask_cpr_in_address(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }

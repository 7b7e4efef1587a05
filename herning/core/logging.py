"""Logging that never carries a CPR number."""

import logging
import re

# DDMMYY-SSSS or ten digits in a row, not part of a longer number.
CPR_PATTERN = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")


def mask_cpr(text: str) -> str:
    return CPR_PATTERN.sub(lambda m: f"{m.group(1)}-****", text)


class CprSafeFormatter(logging.Formatter):
    """Masks the last four digits of anything that looks like a CPR number in the finished line,
    tracebacks included, whatever a developer or a library wrote to the log."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_cpr(super().format(record))

"""Logging that never carries a CPR number."""

import logging
import re
from urllib.parse import unquote_plus

# DDMMYY-SSSS or ten digits in a row, not part of a longer number; also as it stands in an address
# ("Anna+0102031234", "q=%200102031234", "010203%2D1234"): the digits of an escape such as "%20"
# before it are not part of the number, and the two parts may be split by a space or its escapes.
CPR_PATTERN = re.compile(r"(?:(?<=%[0-9A-Fa-f]{2})|(?<!\d))(\d{6})(?:-|\s|\+|%2[Dd]|%20)?(\d{4})(?!\d)")


def mask_cpr(text: str) -> str:
    return CPR_PATTERN.sub(lambda m: f"{m.group(1)}-****", text)


def decoded(text: str, *, rounds: int = 3) -> str:
    """``text`` with its URL escapes undone, also when encoded twice (``%2520``): a CPR number
    written ``Anna+0102031234`` or ``%200102031234`` shows its ten digits only once decoded (in the
    raw text the ``20`` of ``%20`` joins the digits into a longer number)."""
    for _ in range(rounds):
        plain = unquote_plus(text)
        if plain == text:
            break
        text = plain
    return text


def mask_cpr_in_address(text: str) -> str:
    """An address or query string (or any log line quoting one), decoded and with every CPR-shaped
    run of digits masked: what a web server may write to its access log."""
    return mask_cpr(decoded(text))


class CprSafeFormatter(logging.Formatter):
    """Masks the last four digits of anything that looks like a CPR number in the finished line,
    tracebacks included, whatever a developer or a library wrote to the log."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_cpr(super().format(record))

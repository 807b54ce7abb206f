"""Log filters: secret links never reach a log file.

The youth's report page and the personal calendar feed are opened by a secret in the address
(`/melden/<token>/`, `/agenda/<token>.ics`). Django logs the path of every 4xx/5xx response
(`django.request`) and every request of the development server (`django.server`); this filter
replaces the secret with `…` before a record is written anywhere.
"""

import logging
import re

SECRET_PATHS = re.compile(r"(/melden/|/agenda/)[^/\s\"'?.]+")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(r"\1…", text)


class RedactSecretLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True

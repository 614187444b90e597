"""Structured logging: one JSON object per line, with NINOs redacted from every message."""

import json
import logging
import re
from datetime import UTC, datetime

# Any NINO-shaped token, spaced or not, valid or not: we redact generously rather than leak.
NINO_PATTERN = re.compile(r"\b[A-Za-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d]?\b")
REDACTED = "[NINO]"


def redact(text: str) -> str:
    return NINO_PATTERN.sub(REDACTED, text)


class RedactNinoFilter(logging.Filter):
    """Rewrites the record's message with NINOs removed, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        for key, value in list(vars(record).items()):
            if key.startswith("ctx_") and isinstance(value, str):
                setattr(record, key, redact(value))
        # A traceback can quote a NINO (an exception message, a local in a path): every
        # formatter reuses exc_text once set, so redacting it here covers console output too.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """Fields passed as `extra={"ctx_<name>": ...}` become top-level JSON keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key.startswith("ctx_"):
                entry[key[4:]] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)

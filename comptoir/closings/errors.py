from enum import StrEnum


class ClosingError(StrEnum):
    NO_KEY = "closing.no_key"
    BAD_KEY = "closing.bad_key"
    KEY_EXISTS = "closing.key_exists"
    NOT_OVER = "closing.period_not_over"
    ALREADY_CLOSED = "closing.already_closed"
    JOURNAL_BROKEN = "closing.journal_broken"
    NOT_FOUND = "closing.not_found"
    BAD_FILE = "closing.bad_file"

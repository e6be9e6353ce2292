"""The scheduled closings, run by the job worker (see comptoir.scheduling)."""

from datetime import timedelta

from comptoir.closings import signing


def closing_interval() -> timedelta | None:
    """Every hour while the company's signing key is on this machine (none without it)."""
    return timedelta(hours=1) if signing.key_path().exists() else None


def scheduled_closings() -> list[str]:
    """Close the last day, month and year that are over and not closed yet."""
    from comptoir.closings.services import close_due_periods

    return [str(closing) for closing in close_due_periods()]

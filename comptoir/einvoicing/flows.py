"""Files other than invoices that go to the platform as submissions (the e-reporting files).

The app that makes them sits above e-invoicing and registers here, under the flow syntax it
sends, how to read a submission's file and what it records once the platform took it. The
submissions (tracking id, sha256, retries, polling) are the invoices' own: one machinery.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FlowFiles:
    # The file a submission sends (its bytes and its name), the same on every attempt.
    file: Callable[[object], tuple[bytes, str]]
    # Called in the transaction that records the flow the platform made.
    sent: Callable[[object], None]


_REGISTERED: dict[str, FlowFiles] = {}


def register(syntax: str, *, file, sent) -> None:
    _REGISTERED[syntax] = FlowFiles(file, sent)


def of(syntax: str) -> FlowFiles:
    if syntax not in _REGISTERED:
        raise LookupError(f"no file is registered for the flow syntax {syntax!r}")
    return _REGISTERED[syntax]


# The reasons a platform gives when its checks reject a flow (the Flow Service's ReasonCode, or
# the French IRR_*/REJ_* codes it allows as extensions), in words.
def reason_in_words(code: str) -> str:
    words = {
        "InvalidSchema": _("the file does not follow its schema"),
        "IRR_SYNTAX": _("the file does not follow its schema"),
        "EmptyFlow": _("the file is empty"),
        "IRR_VID_F": _("the file is empty"),
        "FlowTypeError": _("the platform does not take this kind of file"),
        "IRR_TYPE_F": _("the platform does not take this kind of file"),
        "FileSizeExceeded": _("the file is too large"),
        "IRR_TAILLE_F": _("the file is too large"),
        "ChecksumMismatch": _("the file was damaged on its way"),
        "VirusFound": _("the platform found a virus in the file"),
        "IRR_ANTIVIRUS": _("the platform found a virus in the file"),
        "REJ_SEMAN": _("the file breaks a rule of the reform"),
        "AlreadyExistingFlow": _("the platform already holds this file"),
    }
    return words.get(code, _("the platform's checks failed"))

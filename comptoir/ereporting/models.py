from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.money import AmountField
from comptoir.einvoicing.flows import reason_in_words
from comptoir.einvoicing.models import Submission


class Report(models.Model):
    """An e-reporting file of one period: the sales or the payments the company reports to the
    tax administration through its approved platform (flux 10)."""

    class Kind(models.TextChoices):
        TRANSACTIONS = "transactions", _("Sales")
        PAYMENTS = "payments", _("Payments")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")  # the period is not over: prepared again until it is
        READY = "ready", _("Ready to send")
        SENT = "sent", _("Sent")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    state = models.CharField(_("state"), max_length=5, choices=State.choices)
    # The file as it will be sent, and its SHA-256: what the platform receives is this.
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    # What it holds, for the list: the documents and their amount excl. VAT and VAT, or the
    # payments and the amount received (VAT included).
    count = models.PositiveIntegerField(_("entries"))
    amount = AmountField(_("amount"))
    vat = AmountField(_("VAT"))
    prepared_at = models.DateTimeField(_("prepared at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    flow_id = models.CharField(_("flow"), max_length=36, blank=True)
    # Its sending to the platform: tracking id, sha256, attempts and the platform's answer are
    # the submission's, as an invoice's are (the latest one: a file rejected is sent again).
    submission = models.OneToOneField(
        "einvoicing.Submission",
        verbose_name=_("submission to the platform"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report",
    )

    class Meta:
        verbose_name = _("e-reporting file")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="ereporting_kind_start")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}–{self.end}"

    @property
    def rejected(self) -> bool:
        """The platform's checks rejected the file sent: it may be prepared and sent again."""
        submission = self.submission
        return bool(submission and submission.acknowledgement == Submission.Acknowledgement.ERROR)

    @property
    def progress(self) -> tuple[str, str, str]:
        """Where the file stands, for the page and the API: a stable code, its words and, when
        something went wrong, why."""
        submission = self.submission
        if submission is None:
            return self.state, str(self.get_state_display()), ""
        if submission.acknowledgement == Submission.Acknowledgement.OK:
            return "accepted", str(_("Accepted by the platform")), ""
        if submission.acknowledgement == Submission.Acknowledgement.ERROR:
            why = reason_in_words(submission.acknowledgement_code)
            detail = submission.acknowledgement_reason
            return (
                "rejected",
                str(_("Rejected by the platform")),
                (f"{why[:1].upper()}{why[1:]}" + (f" ({detail})" if detail else "")),
            )
        if submission.state == Submission.State.SENT:
            return "sent", str(_("Sent, awaiting the platform's checks")), ""
        if submission.state == Submission.State.ERROR and submission.retry_at:
            return "retrying", str(_("Sending failed, will be tried again")), submission.message
        if submission.state == Submission.State.ERROR:
            return "failed", str(_("Sending failed")), submission.message
        return "to_send", str(_("Being sent")), ""

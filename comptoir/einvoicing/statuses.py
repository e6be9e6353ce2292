"""The vocabulary of invoice lifecycle statuses (the French "CDV", carried by CDAR messages).

Sources, all kept in ``reference/``: the closed list of status codes and of reason codes, and
which reasons each status admits, are the French rules BR-FR-CDV release 1.4.0.03 (CL-06 and
CL-09); the official French wording of each status (MDT-106) is the one of the AFNOR example
messages, and for the statuses no example carries, of the rules' messages or of the lifecycle
diagram of XP Z12-012. The standard status (MDT-88, UNTDID 1373) and the phase (MDT-77: 305
transmission, 23 processing) of each status are the correspondence table of XP Z12-012
(rule BR-FR-CDV-CL-05).

A code the rules accept but none of these sources names keeps a neutral label ("Status 250"):
its meaning is in the Excel annex A of XP Z12-012, not in hand.
"""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TRANSMISSION = "305"  # MDT-77: statuses set by the platforms
PROCESSING = "23"  # MDT-77: statuses set by the companies


@dataclass(frozen=True)
class Status:
    code: int
    official: str  # the French wording written in the message (MDT-106)
    label: str  # for the user, translated
    phase: str = PROCESSING  # MDT-77
    standard: str = ""  # MDT-88 (UNTDID 1373), when XP Z12-012 gives one
    reasons: frozenset[str] = frozenset()  # the reason codes it admits (BR-FR-CDV-CL-09)
    needs_reason: bool = False  # BR-FR-CDV-15

    def __str__(self) -> str:  # what the user reads: the label, never the code
        return str(self.label)


# BR-FR-CDV-CL-09, status by status.
_REASONS_213 = "MONTANTTOTAL_ERR CALCUL_ERR DOUBLON DEST_INC ADR_ERR REJ_SEMAN REJ_UNI REJ_COH "
_REASONS_213 += "REJ_ADR REJ_CONT_B2G REJ_REF_PJ REJ_ASS_PJ"
_REASONS_210 = "TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_ERR TRANSAC_INC "
_REASONS_210 += "EMMET_INC CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR REF_CT_ABSENT"
_REASONS_207 = "AUTRE COORD_BANC_ERR TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON "
_REASONS_207 += "DEST_INC DEST_ERR TRANSAC_INC EMMET_INC CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR "
_REASONS_207 += "SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR QTE_ERR ART_ERR "
_REASONS_207 += "MODPAI_ERR QUALITE_ERR LIVR_INCOMP"
_REASONS_206 = "AUTRE CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR "
_REASONS_206 += "QTE_ERR ART_ERR MODPAI_ERR QUALITE_ERR LIVR_INCOMP"
_REASONS_208 = "JUSTIF_ABS COORD_BANC_ERR CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR"
_REASONS_501 = "IRR_VIDE_F IRR_TYPE_F IRR_SYNTAX IRR_TAILLE_PJ IRR_NOM_PJ IRR_VID_PJ IRR_EXT_DOC "
_REASONS_501 += "IRR_TAILLE_F IRR_ANTIVIRUS IRR_NOM_F"


def _status(code, official, label, phase=PROCESSING, standard="", reasons="", needs_reason=False):
    return Status(code, official, label, phase, standard, frozenset(reasons.split()), needs_reason)


STATUSES: dict[int, Status] = {
    s.code: s
    for s in [
        _status(
            200,
            "Déposée",
            pgettext_lazy("lifecycle", "Submitted"),
            TRANSMISSION,
            "10",
            "NON_TRANSMISE",
        ),
        _status(
            201,
            "Émise par la plateforme",
            pgettext_lazy("lifecycle", "Issued by the platform"),
            TRANSMISSION,
            "51",
        ),
        _status(
            202, "Reçue", pgettext_lazy("lifecycle", "Received by the platform"), TRANSMISSION, "43"
        ),
        _status(
            203,
            "Mise à disposition",
            pgettext_lazy("lifecycle", "Made available"),
            TRANSMISSION,
            "48",
        ),
        _status(
            204, "Prise en charge", pgettext_lazy("lifecycle", "Taken in hand"), PROCESSING, "45"
        ),
        _status(205, "Approuvée", pgettext_lazy("lifecycle", "Approved"), PROCESSING, "1"),
        _status(
            206,
            "Approuvée partiellement",
            pgettext_lazy("lifecycle", "Partially approved"),
            PROCESSING,
            "49",
            _REASONS_206,
            True,
        ),
        _status(
            207,
            "En litige",
            pgettext_lazy("lifecycle", "Disputed"),
            PROCESSING,
            "46",
            _REASONS_207,
            True,
        ),
        _status(
            208,
            "Suspendue",
            pgettext_lazy("lifecycle", "Suspended"),
            PROCESSING,
            "39",
            _REASONS_208,
            True,
        ),
        _status(209, "Complétée", pgettext_lazy("lifecycle", "Completed"), PROCESSING, "37"),
        _status(
            210,
            "Refusée",
            pgettext_lazy("lifecycle", "Refused"),
            PROCESSING,
            "50",
            _REASONS_210,
            True,
        ),
        _status(
            211, "Paiement transmis", pgettext_lazy("lifecycle", "Payment sent"), PROCESSING, "47"
        ),
        _status(212, "Encaissée", pgettext_lazy("lifecycle", "Payment received"), PROCESSING, "47"),
        _status(
            213,
            "Rejetée",
            pgettext_lazy("lifecycle", "Rejected"),
            TRANSMISSION,
            "8",
            _REASONS_213,
            True,
        ),
        # XP Z12-012 names the status « Visée » (pre-validation of an invoice in the ordering
        # phase); its code 214 is the rules' list's next one.
        _status(214, "Visée", pgettext_lazy("lifecycle", "Endorsed")),
        _status(
            221,
            "Erreur de routage",
            pgettext_lazy("lifecycle", "Routing error"),
            reasons="ROUTAGE_ERR",
        ),
        _status(
            501,
            "Irrecevable",
            pgettext_lazy("lifecycle", "Inadmissible"),
            reasons=_REASONS_501,
            needs_reason=True,
        ),
    ]
}
# BR-FR-CDV-CL-06: the other codes the rules accept.
for _code in (220, 224, 225, 226, 227, 228, 250, 251, 300, 301, 400, 401, 500, 601):
    STATUSES[_code] = Status(
        _code, "", format_lazy("{} {}", pgettext_lazy("lifecycle", "Status"), _code)
    )

# BR-FR-CDV-CL-09: every reason code the rules accept (B2G-only ones included).
REASONS: frozenset[str] = frozenset(
    (
        "RETRAIT_MAN_SERV",
        "ST_CT_NON_DECLAR",
        "SUPPR_COMP_AVOIR",
        "TRANSF_PMNT_REGIE",
        "CONTACT_ACHTR",
    )
) | frozenset().union(*(s.reasons for s in STATUSES.values()))

# What each reason code means (BR-FR-CDV-CL-09), as XP Z12-012 describes them: the words of a
# decision Comptoir sends on a supplier invoice, and of a message that gives a code without its
# wording (MDT-114), which the official examples always carry (« Taux de TVA erroné »).
REASON_LABELS = {
    "AUTRE": _("Other reason"),
    "COORD_BANC_ERR": _("Wrong bank details"),
    "TX_TVA_ERR": _("Wrong VAT rate"),
    "MONTANTTOTAL_ERR": _("Wrong total amount"),
    "CALCUL_ERR": _("Calculation error"),
    "NON_CONFORME": _("Invoice not compliant"),
    "DOUBLON": _("Duplicate invoice"),
    "DEST_INC": _("Unknown recipient"),
    "DEST_ERR": _("Wrong recipient"),
    "TRANSAC_INC": _("Unknown transaction"),
    "EMMET_INC": _("Unknown issuer"),
    "CONTRAT_TERM": _("Contract ended"),
    "DOUBLE_FACT": _("Already invoiced"),
    "CMD_ERR": _("Wrong or missing order reference"),
    "ADR_ERR": _("Wrong address"),
    "SIRET_ERR": _("Wrong SIRET"),
    "CODE_ROUTAGE_ERR": _("Wrong routing code"),
    "REF_CT_ABSENT": _("Contract reference missing"),
    "REF_ERR": _("Wrong reference"),
    "PU_ERR": _("Wrong unit price"),
    "REM_ERR": _("Wrong discount"),
    "QTE_ERR": _("Wrong quantity"),
    "ART_ERR": _("Wrong item"),
    "MODPAI_ERR": _("Wrong payment terms"),
    "QUALITE_ERR": _("Quality not as agreed"),
    "LIVR_INCOMP": _("Incomplete delivery"),
    # A rejection by the platform (213), in Comptoir's words.
    "REJ_SEMAN": _("Invoice data breaking the rules of the standard"),
    "REJ_UNI": _("Invoice number already used"),
    "REJ_COH": _("Inconsistent invoice data"),
    "REJ_ADR": _("Addressing error"),
}


def reason_label(code: str) -> str:
    """What a reason code means ("" for a code Comptoir has no words for)."""
    return str(REASON_LABELS.get(code, ""))


# BR-FR-CDV-CL-11: what an amount of a status is (MDT-207); those Comptoir writes or reads.
AMOUNT_TYPES = {
    "MEN": _("Amount received (incl. VAT)"),
    "MPA": _("Amount paid"),
    "RAP": _("Amount left to pay"),
    "MAP": _("Approved amount (excl. VAT)"),
    "MAPTTC": _("Approved amount (incl. VAT)"),
    "MNA": _("Amount not approved (excl. VAT)"),
    "MNATTC": _("Amount not approved (incl. VAT)"),
}

# The statuses Comptoir itself sends: as the buyer of a supplier invoice, and as the seller
# once its invoice is paid (212, mandatory for services whose VAT is due on receipt).
BUYER_DECISIONS = (205, 206, 207, 210)
PAYMENT_RECEIVED = 212


def status(code: int | str) -> Status:
    """The status of this code; KeyError for a code the rules do not know."""
    return STATUSES[int(code)]

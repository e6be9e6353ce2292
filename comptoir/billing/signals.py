"""How the apps above billing hear of issued documents and add to an invoice's page, without
billing knowing them."""

from django.dispatch import Signal

# Sent inside the issuing's transaction with ``invoices``: the documents just issued.
issued = Signal()

# Sent inside the transaction that changed what issued invoices were paid or credited (a
# payment allocated or undone, a credit note issued), with ``invoice_ids``: their stored
# settlement is up to date. E-invoicing tells the platform of an invoice fully paid (212).
settled = Signal()

# Templates other apps add to the facts of an invoice's page (each gets ``document``).
INVOICE_FACTS: list[str] = []

# Functions other apps register that give the electronic address (BT-49) at which an issued
# invoice's buyer receives e-invoices ("" when they know none): its XML states the first given.
BUYER_ADDRESSES: list = []

from django.dispatch import Signal

# Sent inside the issuing's transaction with ``invoices``: the documents just issued.
issued = Signal()

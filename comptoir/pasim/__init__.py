"""A platform simulator (plateforme agréée) for the tests and the demo.

A separate small HTTP server implementing the AFNOR XP Z12-013 Flow Service and Directory Service
from the official OpenAPI files kept in
``comptoir/einvoicing/reference/``. Every request it handles and every response
it sends is validated against those files (``openapi.py``); a request that drifts is answered 400,
a response that would drift is answered 500 instead (both named in the body).

Run it with ``python -m comptoir.pasim --port 8765`` (``--help`` for the options). It needs the
development dependencies (``openapi-core``, and ``saxonche`` for the invoice rules).
"""

"""A platform simulator (plateforme agréée) for the tests and the demo.

A separate small HTTP server implementing the AFNOR XP Z12-013 Flow Service and Directory Service
from the official OpenAPI files kept in
``comptoir/einvoicing/reference/``. Every request it handles and every response
it sends is validated against those files (``openapi.py``); a request that drifts is answered 400,
a response that would drift is answered 500 instead (both named in the body).

Run it with ``python -m comptoir.pasim --port 8765`` (``--help`` for the options). It needs the
development dependencies (``openapi-core``, and ``saxonche`` for the invoice rules).
"""

# Where `comptoir serve --simulator` runs it, and the buyer it plays as refusing (210).
DEMO_URL = "http://127.0.0.1:8765"
REFUSING_BUYER = "380129866"
RECEIVING_BUYER = "732829320"


def connection_settings(base: str) -> dict:
    """Comptoir's platform connection for the simulator at ``base``, switched on."""
    from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET

    return {
        "enabled": True,
        "flow_url": f"{base}/flow-service",
        "directory_url": f"{base}/directory-service",
        "token_url": f"{base}/oauth/token",
        "client_id": CLIENT_ID,
        "secret": CLIENT_SECRET,
    }

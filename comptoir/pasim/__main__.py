"""comptoir pa-simulator --port 8765 (or python -m comptoir.pasim): run the platform simulator."""

import argparse
import importlib.util
import sys
import threading
from pathlib import Path

from comptoir.pasim.platform import CLIENT_ID, CLIENT_SECRET, Platform, syntax_of, warm_up
from comptoir.pasim.server import Simulator, serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="comptoir pa-simulator",
        description=(
            "A simulated approved platform (AFNOR XP Z12-013 Flow and Directory Service). "
            f"Test credentials: client id {CLIENT_ID!r}, secret {CLIENT_SECRET!r}, "
            "token URL /oauth/token."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 for any free port")
    parser.add_argument(
        "--no-validation",
        action="store_true",
        help="check neither the OpenAPI files nor the invoice rules (for timings)",
    )
    parser.add_argument(
        "--refuse", action="append", default=[], metavar="SIREN", help="a buyer who refuses (210)"
    )
    parser.add_argument(
        "--auto-advance",
        type=float,
        default=0,
        metavar="SECONDS",
        help="move every invoice's lifecycle one status on this often (0: on request only)",
    )
    parser.add_argument(
        "--token-lifetime", type=int, default=3600, metavar="SECONDS", help="of each token"
    )
    parser.add_argument(
        "--inbox",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a supplier's invoice (Factur-X PDF, CII or UBL) waiting in the company's inbox",
    )
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    parser.add_argument(
        "--state", metavar="FILE", help="keep the flows in this file between runs (the demo)"
    )
    options = parser.parse_args(argv)
    validate = not options.no_validation
    if validate and not validation_available():
        print(
            "pasim: validation off (the development dependencies openapi-core and saxonche "
            "are not installed: `make install-dev`)",
            file=sys.stderr,
        )
        validate = False
    platform = Platform(validate=validate, refusing=set(options.refuse))
    platform.token_lifetime = options.token_lifetime
    for path in options.inbox:
        content = path.read_bytes()
        platform.receive(syntax_of(content), path.name, content)
    if platform.validate:
        threading.Thread(target=warm_up, daemon=True).start()
    simulator = Simulator(platform, check=validate)
    serve(
        simulator,
        options.host,
        options.port,
        auto_advance=options.auto_advance,
        quiet=options.quiet,
        state_file=options.state,
    )


def validation_available() -> bool:
    """Whether the OpenAPI and invoice checks can run (development dependencies)."""
    return all(importlib.util.find_spec(name) for name in ("openapi_core", "saxonche"))


if __name__ == "__main__":
    main()

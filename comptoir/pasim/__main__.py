"""comptoir pa-simulator --port 8765 (or python -m comptoir.pasim): run the platform simulator."""

import argparse
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
    options = parser.parse_args(argv)
    platform = Platform(validate=not options.no_validation, refusing=set(options.refuse))
    platform.token_lifetime = options.token_lifetime
    for path in options.inbox:
        content = path.read_bytes()
        platform.receive(syntax_of(content), path.name, content)
    if platform.validate:
        threading.Thread(target=warm_up, daemon=True).start()
    simulator = Simulator(platform, check=not options.no_validation)
    serve(
        simulator,
        options.host,
        options.port,
        auto_advance=options.auto_advance,
        quiet=options.quiet,
    )


if __name__ == "__main__":
    main()

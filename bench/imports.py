"""The partner import at scale: a generated file read and processed into issued invoices.

Usage: python -m bench.imports [--lines N] [--read-only] [--database-url URL]
Prints one JSON object: the database, the file, and per phase seconds, rate, queries and the
process's peak memory. With --read-only the file is only uploaded and read (the bounded-
memory check on very large files).

The file follows the template: --lines rows, 5 lines per document, 5,000 customers and 2,000
items per 100,000 lines, all new to the database, prices excluding VAT, half of the documents
paid by card.
"""

import argparse
import csv
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from bench.setup import database_name, prepare_database

LINES_PER_DOCUMENT = 5
HEADER = [
    "reference_partenaire",
    "date_document",
    "code_client",
    "nom_client",
    "email",
    "adresse_facturation",
    "code_postal_facturation",
    "ville_facturation",
    "code_article",
    "designation",
    "quantite",
    "prix_unitaire",
    "taux_tva",
    "frais_port",
    "montant_paye",
    "mode_paiement",
]


def write_file(path: Path, lines: int, rnd: random.Random) -> dict:
    customers = max(1, lines // 20)
    items = max(1, lines // 50)
    rates = ["20", "20", "20", "5,5", "10"]
    documents = lines // LINES_PER_DOCUMENT
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for doc in range(documents):
            c = rnd.randrange(customers)
            day = f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/2026"
            paid = doc % 2 == 0
            customer = [
                f"P{c:06d}",
                f"Client {c}",
                f"client{c}@example.fr",
                f"{c % 200 + 1} rue du Commerce",
                f"{69000 + c % 10:05d}",
                "Lyon",
            ]
            for _line in range(LINES_PER_DOCUMENT):
                i = rnd.randrange(items)
                writer.writerow(
                    [
                        f"WEB-{doc:07d}",
                        day,
                        *customer,
                        f"ART-{i:05d}",
                        f"Article {i}",
                        rnd.randint(1, 5),
                        f"{10 + i % 90},{i % 100:02d}",
                        rates[i % len(rates)],
                        "4,90",
                        "9999" if paid else "",
                        "carte" if paid else "",
                    ]
                )
    return {"lines": documents * LINES_PER_DOCUMENT, "documents": documents}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.imports")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--read-only", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("COMPTOIR_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    prepare_database(args.database_url)
    from django.conf import settings
    from django.db import connection

    from comptoir.imports.services import parse_batch, process_batch, save_partner, upload_file

    workdir = Path(tempfile.mkdtemp())
    settings.MEDIA_ROOT = workdir / "media"
    path = workdir / "partner.csv"
    file = write_file(path, args.lines, random.Random(1))
    file["mib"] = round(path.stat().st_size / 2**20, 1)
    # A million lines weigh about 100 MB: above the default upload limit, which users raise.
    settings.COMPTOIR_IMPORT_MAX_BYTES = max(
        settings.COMPTOIR_IMPORT_MAX_BYTES, 2 * path.stat().st_size
    )
    partner = save_partner(name="Bench shop")
    phases = []
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    def phase(name, count_of, fn):
        queries[0] = 0
        with connection.execute_wrapper(count):
            start = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - start
        phases.append(
            {
                "phase": name,
                "count": count_of,
                "seconds": round(seconds, 3),
                "rate": round(count_of / seconds, 1),
                "queries": queries[0],
                # The process's peak resident memory so far (Linux reports KiB).
                "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
        return result

    def upload_and_read():
        with path.open("rb") as stream:
            return parse_batch(upload_file(partner, path.name, stream))

    batch = phase("I1 upload + read", file["lines"], upload_and_read)
    assert batch.row_count == file["lines"], batch.error
    result = {
        "database": database_name(),
        "file": file,
        "read_only": args.read_only,
        "phases": phases,
    }
    if not args.read_only:
        report = phase("I2 process → issued invoices", file["lines"], lambda: process_batch(batch))
        assert report.documents_created == file["documents"], report
        assert report.failed_rows == 0, report
        total = sum(p["seconds"] for p in phases)
        phases.append(
            {
                "phase": "I1-I2 file → issued invoices",
                "count": file["lines"],
                "seconds": round(total, 3),
                "rate": round(file["lines"] / total, 1),
                "queries": sum(p["queries"] for p in phases),
                "peak_mib": phases[-1]["peak_mib"],
            }
        )
        result["report"] = report.as_dict()
    print(json.dumps(result))


if __name__ == "__main__":
    main()

import io

import pytest

from comptoir.imports.services import parse_batch, process_batch, save_partner, upload_file

HEADER = (
    "reference_partenaire;date_document;code_client;nom_client;email;adresse_facturation;"
    "code_postal_facturation;ville_facturation;code_article;designation;quantite;prix_unitaire;"
    "taux_tva;frais_port;montant_paye;mode_paiement"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def partner(company):
    return save_partner(name="Boutique en ligne")


def csv_file(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def upload(partner, content: bytes, name: str = "ventes.csv", **options):
    return parse_batch(upload_file(partner, name, io.BytesIO(content), **options))


def run(partner, content: bytes, name: str = "ventes.csv", **options):
    batch = upload(partner, content, name, **options)
    return batch, process_batch(batch)


@pytest.fixture(autouse=True)
def in_english(english):
    """Messages are checked in English here."""

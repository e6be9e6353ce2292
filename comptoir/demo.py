"""Demo data that looks real: a French company, customers, items, and documents in every state.

Built through the same services as the UI and the API, so the demo is also a smoke test.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from comptoir import pasim
from comptoir.billing import services as billing
from comptoir.catalog import services as catalog
from comptoir.catalog.models import ItemGroup, Unit
from comptoir.core.roles import ACCOUNTING, PURCHASING, READ_ONLY, SALES, WAREHOUSE
from comptoir.core.services import create_user, update_company
from comptoir.parties import services as parties
from comptoir.parties.models import CustomerGroup, SalesPartner, Territory
from comptoir.payments import services as payments
from comptoir.pricing.documents import DocumentRequest
from comptoir.pricing.engine import LineSpec
from comptoir.pricing.models import PaymentTerms, Tax
from comptoir.purchasing import services as purchasing
from comptoir.sales import services as sales
from comptoir.stock import services as stock

DEMO_USER = ("demo", "demo")
# One user per role to try what each may do (password: the user name).
DEMO_ROLE_USERS = {
    "vente": SALES,
    "entrepot": WAREHOUSE,
    "achats": PURCHASING,
    "compta": ACCOUNTING,
    "lecture": READ_ONLY,
}
CITIES = [
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("13008", "Marseille"),
    ("31000", "Toulouse"),
    ("33000", "Bordeaux"),
    ("44000", "Nantes"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
    ("35000", "Rennes"),
    ("34000", "Montpellier"),
    ("21000", "Dijon"),
    ("37000", "Tours"),
]
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "rue du Commerce",
    "place de la Mairie",
    "rue des Artisans",
    "quai des Chartrons",
]
COMPANY_WORDS = [
    "Boulangerie",
    "Atelier",
    "Menuiserie",
    "Garage",
    "Cabinet",
    "Librairie",
    "Fromagerie",
    "Imprimerie",
    "Pharmacie",
    "Hôtel",
    "Restaurant",
    "Épicerie",
]
NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
]
FIRST = ["Camille", "Louise", "Léa", "Hugo", "Jules", "Lucas", "Chloé", "Manon", "Nathan"]
GROUPS = {
    "Fournitures de bureau": [
        "Ramette papier A4",
        "Classeur à levier",
        "Stylo bille bleu",
        "Agrafeuse",
        "Bloc-notes",
        "Surligneur",
        "Enveloppes C5",
    ],
    "Informatique": [
        "Souris sans fil",
        "Clavier AZERTY",
        "Écran 24 pouces",
        "Câble HDMI",
        "Clé USB 64 Go",
        "Casque audio",
        "Webcam HD",
    ],
    "Mobilier": [
        "Chaise de bureau",
        "Bureau assis-debout",
        "Caisson 3 tiroirs",
        "Lampe de bureau",
        "Armoire basse",
    ],
    "Alimentation": ["Café en grains 1 kg", "Thé vert bio", "Biscuits assortis", "Eau minérale"],
}
SERVICES = [
    ("Installation sur site", "HUR", "65.00"),
    ("Formation utilisateur", "DAY", "650.00"),
    ("Maintenance annuelle", "C62", "480.00"),
    ("Livraison express", "C62", "25.00"),
]


DIRECTORY_SIRENS = (pasim.RECEIVING_BUYER, pasim.REFUSING_BUYER)


def siren_from(rnd: random.Random) -> str:
    """A SIREN with a valid Luhn key, found by trying the ten last digits."""
    from stdnum.fr import siren

    base = f"{rnd.randint(10_000_000, 99_999_999)}"
    return next(base + str(d) for d in range(10) if siren.is_valid(base + str(d)))


def has_data() -> bool:
    from comptoir.parties.models import Customer

    return Customer.objects.exists()


def load(seed: int = 2026, customers: int = 50) -> dict:
    from stdnum.fr import siren as siren_module

    rnd = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.filter(username=DEMO_USER[0]).first()
        if user is None:
            user = User.objects.create_superuser(DEMO_USER[0], "demo@example.fr", DEMO_USER[1])
        for name, role in DEMO_ROLE_USERS.items():
            if not User.objects.filter(username=name).exists():
                create_user(name, name, [role])
        company_siren = "552100554"
        update_company(
            legal_name="Comptoir Démo SAS",
            legal_form="SAS",
            share_capital=Decimal("50000.00"),
            siren=company_siren,
            siret=company_siren + "00013",
            rcs_city="Lyon",
            vat_id="FR" + siren_module.to_tva(company_siren),
            address_line1="12 rue de la Charité",
            postal_code="69002",
            city="Lyon",
            email="contact@comptoir-demo.fr",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
            default_payment_terms=PaymentTerms.objects.get(code="30J"),
            stock_management=True,
        )
        groups = [
            CustomerGroup.objects.get_or_create(name=n)[0]
            for n in ("Commerce", "Industrie", "Particuliers")
        ]
        territories = [
            Territory.objects.get_or_create(name=n)[0] for n in ("Nord", "Sud", "Île-de-France")
        ]
        partner = SalesPartner.objects.get_or_create(
            name="Agence Rhône Commerce", defaults={"commission_rate": Decimal("5.00")}
        )[0]
        terms = list(PaymentTerms.objects.all())
        seller = User.objects.get(username="vente")  # in charge of every other customer
        rows, addresses = [], []
        for i in range(customers):
            individual = i % 7 == 6
            postal, city = rnd.choice(CITIES)
            if individual:
                name = f"{rnd.choice(FIRST)} {rnd.choice(NAMES)}"
                ids = {"kind": "individual"}
            else:
                name = f"{rnd.choice(COMPANY_WORDS)} {rnd.choice(NAMES)}"
                number = siren_from(rnd)
                # The first two are in the platform simulator's directory, one of them
                # refusing its invoices (`comptoir serve --simulator`).
                number = DIRECTORY_SIRENS[i] if i < len(DIRECTORY_SIRENS) else number
                ids = {
                    "kind": "company",
                    "siren": number,
                    "vat_id": "FR" + siren_module.to_tva(number),
                }
            rows.append(
                {
                    "name": name,
                    "email": f"contact{i}@exemple.fr",
                    "phone": "04 78 " + " ".join(str(rnd.randint(10, 99)) for _ in range(3)),
                    "group": groups[2] if individual else rnd.choice(groups[:2]),
                    "territory": rnd.choice(territories),
                    "payment_terms": rnd.choice(terms),
                    "sales_partner": partner if i % 5 == 0 else None,
                    "salesperson": seller if i % 2 == 0 else None,
                    **ids,
                }
            )
            addresses.append(
                [
                    {
                        "kind": "billing",
                        "line1": f"{rnd.randint(1, 120)} {rnd.choice(STREETS)}",
                        "postal_code": postal,
                        "city": city,
                    }
                ]
            )
        customer_list = parties.create_customers(rows, addresses=addresses)

        taxes = {t.code: t for t in Tax.objects.all()}
        units = {u.code: u for u in Unit.objects.all()}
        item_rows = []
        for group_name, names in GROUPS.items():
            group = ItemGroup.objects.get_or_create(name=group_name)[0]
            tax = taxes["TVA55"] if group_name == "Alimentation" else taxes["TVA20"]
            for name in names:
                for variant in ("", " (lot de 5)", " premium", " (carton de 10)"):
                    if len(item_rows) >= 96:
                        break
                    price = Decimal(rnd.randint(150, 25000)) / 100
                    if variant in (" (lot de 5)", " (carton de 10)"):
                        price *= 4
                    item_rows.append(
                        {
                            "code": f"ART{len(item_rows) + 1:04d}",
                            "name": name + variant,
                            "unit": units["C62"],
                            "group": group,
                            "sale_price": price.quantize(Decimal("0.01")),
                            "cost_price": (price * Decimal("0.6")).quantize(Decimal("0.01")),
                            "tax": tax,
                            # 0,5 to 4 kg, a carton of ten four times more
                            "weight": Decimal(len(item_rows) % 8 + 1)
                            / 2
                            * (4 if variant == " (carton de 10)" else 1),
                        }
                    )
        for code, (name, unit, price) in enumerate(SERVICES, start=1):
            item_rows.append(
                {
                    "code": f"SRV{code:03d}",
                    "name": name,
                    "kind": "service",
                    "unit": units[unit],
                    "sale_price": Decimal(price),
                    "cost_price": Decimal("0"),
                    "tax": taxes["TVA20"],
                }
            )
        items = catalog.create_items(item_rows)
        _demo_shipping(taxes["TVA20"])
        _demo_coupons(customer_list[0])

        goods, services = items[: -len(SERVICES)], items[-len(SERVICES) :]
        _opening_stock(goods, rnd, user)

        def lines(n):
            specs = [
                LineSpec(
                    item=rnd.choice(goods),
                    quantity=Decimal(rnd.randint(1, 10)),
                    discount_pct=Decimal(rnd.choice([0, 0, 0, 5, 10])),
                )
                for _ in range(n)
            ]
            if rnd.random() < 0.25:
                specs.append(LineSpec(item=rnd.choice(services), quantity=Decimal(1)))
            return specs

        counts = {"quotations": 0, "orders": 0, "invoices": 0, "payments": 0}
        # Fourteen months of history: orders delivered, invoiced and mostly paid in their month.
        for back in range(14, 0, -1):
            index = today.year * 12 + today.month - 1 - back
            month = date(index // 12, index % 12 + 1, 1)
            day = month + timedelta(days=rnd.randint(0, 20))
            past = sales.create_orders(
                [
                    DocumentRequest(
                        rnd.choice(customer_list), lines(rnd.randint(1, 5)), {"date": day}
                    )
                    for _ in range(rnd.randint(3, 7))
                ],
                by=user,
            )
            sales.confirm_orders(past, by=user)
            stock.create_deliveries([(o, None) for o in past], by=user, day=day)
            billed = billing.issue_invoices(billing.invoice_orders(past, by=user), by=user, day=day)
            paid = payments.register_payments(
                [
                    payments.PaymentRequest(
                        i.customer, i.total_gross, date=i.due_date, allocations=[(i, i.total_gross)]
                    )
                    for i in billed[1:]  # the first stays unpaid: overdue receivables
                    if i.due_date < today
                ],
                by=user,
            )
            counts["orders"] += len(past)
            counts["invoices"] += len(billed)
            counts["payments"] += len(paid)
        # Quotations in every state.
        for i in range(20):
            q = sales.create_quotation(
                rnd.choice(customer_list),
                lines(rnd.randint(1, 5)),
                by=user,
                date=today - timedelta(days=rnd.randint(0, 60)),
            )
            counts["quotations"] += 1
            state = i % 5
            if state >= 1:
                sales.send_quotation(q, by=user)
            if state == 2:
                sales.refuse_quotation(q, by=user)
            if state >= 3:
                sales.accept_quotation(q, by=user)
            if state == 4:
                sales.confirm_order(sales.convert_quotation_to_order(q, by=user), by=user)
                counts["orders"] += 1
        # Orders at every step of the cycle.
        requests = [
            DocumentRequest(
                rnd.choice(customer_list),
                lines(rnd.randint(1, 6)),
                {"date": today - timedelta(days=rnd.randint(0, 90))},
            )
            for _ in range(40)
        ]
        orders = sales.create_orders(requests, by=user)
        counts["orders"] += len(orders)
        sales.confirm_orders(orders[5:], by=user)
        sales.cancel_order(orders[4], by=user)
        deliverable = orders[10:]
        for order in deliverable[:5]:  # partly delivered
            line = order.lines.filter(is_service=False).first()
            if line:
                stock.create_delivery(order, {line.pk: min(line.quantity, Decimal(1))}, by=user)
        stock.create_deliveries([(o, None) for o in deliverable[5:]], by=user)
        to_invoice = [o for o in deliverable[5:]]
        invoices = billing.invoice_orders(to_invoice, by=user)
        issued = billing.issue_invoices(invoices[3:], by=user)
        counts["invoices"] += len(invoices)
        # Payments: some paid, some partly, some not at all (overdue ones appear with time).
        for index, invoice in enumerate(issued):
            if index % 3 == 0:
                payments.register_payment(
                    invoice.customer,
                    invoice.total_gross,
                    by=user,
                    allocations=[(invoice, invoice.total_gross)],
                    reference=f"VIR {invoice.number}",
                )
            elif index % 3 == 1:
                half = (invoice.total_gross / 2).quantize(Decimal("0.01"))
                payments.register_payment(
                    invoice.customer, half, by=user, method="cheque", allocations=[(invoice, half)]
                )
            counts["payments"] += index % 3 != 2
        # Credit notes: one whole, one partial.
        credit = billing.credit_invoice(issued[0], by=user, reason="Retour de marchandise")
        billing.issue_invoice(credit, by=user)
        first_line = issued[1].lines.first()
        partial = billing.credit_invoice(
            issued[1], {first_line.pk: first_line.quantity}, by=user, reason="Article défectueux"
        )
        billing.issue_invoice(partial, by=user)
        # A direct invoice for services, left as a draft.
        billing.create_invoice(
            rnd.choice(customer_list), [LineSpec(item=services[0], quantity=Decimal(2))], by=user
        )
        counts["imports"] = _demo_import(items, today, user)
        counts["customers"] = len(customer_list)
        counts["items"] = len(items)
        return counts


def _demo_shipping(tax) -> None:
    """Colissimo by weight, cheaper in Paris, free from 150 € excl. VAT; Belgium at one price."""
    from comptoir.pricing.models import ShippingMethod, ShippingRule, ShippingZone
    from comptoir.pricing.services import save_shipping

    method = save_shipping(
        ShippingMethod, code="COLISSIMO", name="Colissimo — domicile", carrier="La Poste", tax=tax
    )
    paris = save_shipping(
        ShippingZone, code="IDF", name="Paris et petite couronne", postal_prefixes="75,92,93,94"
    )
    for fields in (
        {"weight_up_to": Decimal("2"), "charge": Decimal("6.90")},
        {"weight_over": Decimal("2"), "weight_up_to": Decimal("10"), "charge": Decimal("11.90")},
        {"weight_over": Decimal("10"), "charge": Decimal("9.90"), "charge_per_kg": Decimal("0.5")},
        {"zone": paris, "weight_up_to": Decimal("10"), "charge": Decimal("4.90")},
        {"amount_from": Decimal("150"), "charge": Decimal("0")},
        {"country": "BE", "charge": Decimal("14.90")},
    ):
        save_shipping(ShippingRule, method=method, **{"country": "FR", **fields})


def _demo_coupons(customer) -> None:
    """A welcome coupon, 10 % once per customer, a spring campaign of 20 codes of 15 € and a
    customer's own loyalty coupon."""
    from comptoir.pricing.services import generate_coupons, save_coupon

    save_coupon(
        code="BIENVENUE10",
        name="Bienvenue",
        description="10 % sur la première commande",
        value=Decimal("10"),
        max_uses_per_customer=1,
    )
    generate_coupons(
        "PRINTEMPS-",
        20,
        name="Printemps",
        reward="amount",
        value=Decimal("15"),
        minimum_amount=Decimal("100"),
        max_uses=1,
    )
    save_coupon(
        code="FIDELITE-5",
        name="Fidélité",
        value=Decimal("5"),
        customer=customer,
    )


def _opening_stock(goods, rnd: random.Random, user) -> None:
    """Two warehouses; the main one counted full before the first order, the other with a
    little of some items."""
    main = stock.default_warehouse()
    annex = stock.save_warehouse(code="ANNEXE", name="Dépôt de Villeurbanne", city="Villeurbanne")
    opening = timezone.localdate() - timedelta(days=450)
    moves = [
        stock.Move(item, main, Decimal(rnd.randint(400, 900)), "receipt", date=opening,
                   reason="Stock initial", unit_cost=item.cost_price or None)
        for item in goods
    ] + [
        stock.Move(item, annex, Decimal(rnd.randint(5, 40)), "receipt", date=opening,
                   reason="Stock initial")
        for item in goods[::3]
    ]  # fmt: skip
    stock.post_moves(moves, by=user)
    supplier = purchasing.create_supplier(
        code="MOBLYON", name="Mobilier Lyonnais", email="commandes@mobilier-lyonnais.fr"
    )
    order = purchasing.create_purchase_order(
        supplier,
        [purchasing.PurchaseLine(item, Decimal(rnd.randint(20, 60))) for item in goods[:4]],
        by=user,
    )
    purchasing.confirm_purchase_order(order, by=user)


def _demo_import(items, today, user) -> int:
    """An e-shop partner and one file of its sales, processed, with a line still to correct."""
    import io

    from comptoir.imports.services import parse_batch, process_batch, save_partner, upload_file

    partner = save_partner(name="Boutique en ligne", mapping={})
    header = (
        "reference_partenaire;date_document;code_client;nom_client;email;adresse_facturation;"
        "code_postal_facturation;ville_facturation;code_article;quantite;prix_unitaire;"
        "prix_ttc;frais_port;montant_paye;mode_paiement"
    )
    day = (today - timedelta(days=2)).strftime("%d/%m/%Y")
    goods = [item for item in items if not item.is_service][:3]
    rows = [header]
    for n, (name, city) in enumerate(
        [("Camille Petit", "Annecy"), ("Hugo Bernard", "Rennes"), ("Inès Moreau", "Lille")]
    ):
        who = f"WEB-{n + 1:03d};{day};W{n + 1};{name};client{n + 1}@exemple.fr;"
        who += f"{n + 3} rue du Marché;7400{n};{city}"
        for k, item in enumerate(goods[: n + 1]):
            quantity = "deux" if (n, k) == (2, 1) else str(k + 1)  # one line to correct
            price = str((item.sale_price * Decimal("1.2")).quantize(Decimal("0.01")))
            rows.append(f"{who};{item.code};{quantity};{price.replace('.', ',')};oui;5,90;;")
    content = ("\n".join(rows) + "\n").encode()
    batch = upload_file(partner, "boutique-ventes.csv", io.BytesIO(content), by=user)
    process_batch(parse_batch(batch), by=user)
    return 1


def connect_simulator(base: str = pasim.DEMO_URL, *, latest: int = 6) -> int | None:
    """Connect the demo company to the platform simulator (`comptoir serve --simulator`) and
    queue its latest e-invoices, so that their statuses move on the invoices' pages. Returns
    how many were queued; None, and nothing done, when a platform is already set."""
    from comptoir.billing.models import Invoice
    from comptoir.einvoicing import services as einvoicing
    from comptoir.einvoicing.models import PlatformConnection

    if PlatformConnection.get().flow_url:
        return None
    with transaction.atomic():
        einvoicing.save_connection(**pasim.connection_settings(base))
        waiting = (
            Invoice.objects.filter(
                status=Invoice.Status.ISSUED,
                kind=Invoice.Kind.INVOICE,
                customer_is_business=True,
                submission__isnull=True,
            )
            .exclude(customer_siren="")
            .order_by("-number")
        )
        chosen = {invoice.pk: invoice for invoice in waiting[:latest]}
        for siren in DIRECTORY_SIRENS:  # the directory's two buyers, one of them refusing
            invoice = waiting.filter(customer__siren=siren).first()
            if invoice is not None:
                chosen[invoice.pk] = invoice
        return len(einvoicing.queue_submissions(list(chosen.values())))

"""The ``demo`` scenario: 12 customers over the last 20 days, a few updates, one deletion.

Companies (name + description) and individuals (plain names, some with
``netsuite_first_name``/``netsuite_last_name`` metadata); billing and shipping addresses in US,
DE, GB, JP and FR; currencies usd/eur/gbp/jpy. The seed drives the IDs (via the sandbox's ID
factory) and the exact times; the data itself is fixed so demos read the same every time.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stripe_sandbox.scenarios import Seeder

DAY = 86400
HOUR = 3600


def _addr(line1, city, postal_code, country, state=None, line2=None) -> dict:
    address = {"line1": line1, "city": city, "postal_code": postal_code, "country": country}
    if state:
        address["state"] = state
    if line2:
        address["line2"] = line2
    return address


CUSTOMERS: list[dict] = [
    {
        "name": "Acme GmbH",
        "description": "Acme GmbH - industrial fasteners, Berlin",
        "email": "billing@acme-gmbh.example",
        "phone": "+49 30 1234567",
        "currency": "eur",
        "address": _addr("Friedrichstrasse 123", "Berlin", "10117", "DE"),
        "shipping": {"name": "Acme GmbH Lager", "phone": "+49 40 7654321",
                     "address": _addr("Am Sandtorkai 5", "Hamburg", "20457", "DE")},
        "preferred_locales": ["de", "en"],
        "tax_exempt": "reverse",
        "metadata": {"segment": "enterprise"},
    },
    {
        "name": "Globex Ltd",
        "description": "Globex Ltd - logistics software",
        "email": "accounts@globex.example",
        "phone": "+44 20 7946 0958",
        "currency": "gbp",
        "balance": -5000,
        "address": _addr("1 Canada Square", "London", "E14 5AB", "GB"),
        "preferred_locales": ["en-GB"],
    },
    {
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "phone": "+1 415 555 0100",
        "currency": "usd",
        "address": _addr("500 Market St", "San Francisco", "94105", "US", state="CA", line2="Apt 4"),
    },
    {
        "name": "Initech Inc.",
        "description": "Initech Inc. - TPS reporting services",
        "email": "ap@initech.example",
        "phone": "+1 512 555 0199",
        "currency": "usd",
        "address": _addr("4120 Freidrich Ln", "Austin", "78744", "US", state="TX"),
        "shipping": {"name": "Initech Receiving", "address": _addr("77 Park Ave", "New York", "10016", "US", state="NY")},
        "metadata": {"segment": "mid-market"},
    },
    {
        "name": "Hans Mueller",
        "email": "hans.mueller@example.de",
        "currency": "eur",
        "address": _addr("Leopoldstrasse 10", "Muenchen", "80802", "DE", state="BY"),
        "metadata": {"netsuite_first_name": "Hans", "netsuite_last_name": "Mueller"},
        "preferred_locales": ["de"],
    },
    {
        "name": "Sakura Trading K.K.",
        "description": "Sakura Trading K.K. - electronics import",
        "email": "keiri@sakura-trading.example",
        "phone": "+81 3 1234 5678",
        "currency": "jpy",
        "address": _addr("1-1 Marunouchi", "Chiyoda-ku", "100-0005", "JP", state="Tokyo"),
        "shipping": {"name": "Sakura Trading Osaka", "address": _addr("2-3 Umeda", "Osaka", "530-0001", "JP",
                                                                        state="Osaka")},
        "preferred_locales": ["ja"],
    },
    {
        "name": "Emily Clarke",
        "email": "emily.clarke@example.co.uk",
        "currency": "gbp",
        "address": _addr("221B Baker Street", "London", "NW1 6XE", "GB"),
    },
    {
        "name": "Fromagerie Dupont SARL",
        "description": "Fromagerie Dupont SARL - cheese wholesale",
        "email": "compta@fromagerie-dupont.example",
        "phone": "+33 1 23 45 67 89",
        "currency": "eur",
        "address": _addr("12 Rue de Rivoli", "Paris", "75004", "FR"),
        "shipping": {"name": "Dupont Entrepot", "address": _addr("8 Quai Saint-Antoine", "Lyon", "69002", "FR")},
        "preferred_locales": ["fr"],
        "metadata": {"segment": "smb"},
    },
    {
        "name": "Yuki Tanaka",
        "email": "yuki.tanaka@example.jp",
        "currency": "jpy",
        "address": _addr("3-5 Shibuya", "Shibuya-ku", "150-0002", "JP", state="Tokyo"),
        "metadata": {"netsuite_first_name": "Yuki", "netsuite_last_name": "Tanaka"},
    },
    {
        "name": "Umbrella Foundation",
        "description": "Umbrella Foundation - non-profit research",
        "email": "finance@umbrella.example",
        "currency": "usd",
        "tax_exempt": "exempt",
        "address": _addr("1 Raccoon Way", "Seattle", "98101", "US", state="WA"),
    },
    {
        "name": "Camille Martin",
        "email": "camille.martin@example.fr",
        "phone": "+33 6 12 34 56 78",
        "currency": "eur",
        "address": _addr("5 Place Bellecour", "Lyon", "69002", "FR"),
        "shipping": {"name": "Camille Martin", "phone": "+33 6 12 34 56 78",
                     "address": _addr("9 Rue Sainte-Catherine", "Bordeaux", "33000", "FR")},
        "metadata": {"netsuite_first_name": "Camille", "netsuite_last_name": "Martin"},
    },
    {
        "name": "John Smith",
        "email": "john.smith@example.com",
        "currency": "usd",
    },
]

# (customer index, days after creation, params)
UPDATES = [
    (0, 2, {"email": "invoices@acme-gmbh.example", "metadata": {"netsuite_id": "1001"}}),
    (2, 3, {"address": {"line1": "1 Ferry Building", "line2": "", "postal_code": "94111"}, "phone": ""}),
    (6, 1, {"description": "Prefers paper invoices", "metadata": {"netsuite_first_name": "Emily",
                                                                  "netsuite_last_name": "Clarke"}}),
]
DELETED = (9, 1)  # (customer index, days after creation)


def build_demo(seeder: Seeder, seed: int) -> None:
    rng = random.Random(f"demo:{seed}")
    start = seeder.now - 19 * DAY
    created_at = [start + i * 36 * HOUR + rng.randrange(HOUR) for i in range(len(CUSTOMERS))]
    ids = []
    for params, at in zip(CUSTOMERS, created_at):
        ids.append(seeder.create("customer", params, at=at)["id"])
    for index, days, params in UPDATES:
        seeder.update("customer", ids[index], params, at=created_at[index] + days * DAY + rng.randrange(HOUR))
    index, days = DELETED
    seeder.delete("customer", ids[index], at=created_at[index] + days * DAY + rng.randrange(HOUR))

"""Invariants every sandbox history must satisfy (used by the scenario and property tests).

Each check reads the objects as the API serves them (``Resource.render``: the same dicts the HTTP
handlers return) and returns a list of human-readable problems (empty = fine).
"""

from __future__ import annotations

from collections import defaultdict


def served(app, object_type: str) -> list[dict]:
    resource = app.resources[object_type]
    return [resource.render(r) for r in app.state.store.ascending(object_type) if not r.deleted]


def invoice_problems(app) -> list[str]:
    problems = []
    invoices = app.resources["invoice"]
    for record in app.state.store.ascending("invoice"):
        if record.deleted:
            continue
        inv = record.data
        lines = invoices.lines_of(inv["id"])
        line_sum = sum(line["amount"] for line in lines)
        discounts = sum(d["amount"] for line in lines for d in line["discount_amounts"])
        exclusive = sum(t["amount"] for line in lines for t in line["taxes"] if t["tax_behavior"] == "exclusive")
        if inv["total"] != line_sum - discounts + exclusive:
            problems.append(f"{inv['id']}: total {inv['total']} != lines {line_sum} - discounts {discounts} "
                            f"+ exclusive tax {exclusive}")
        if inv["subtotal"] != line_sum:
            problems.append(f"{inv['id']}: subtotal {inv['subtotal']} != sum of lines {line_sum}")
        if sum(d["amount"] for d in inv["total_discount_amounts"]) != discounts:
            problems.append(f"{inv['id']}: total_discount_amounts disagree with the lines")
        if sum(t["amount"] for t in inv["total_taxes"]) != sum(t["amount"] for line in lines for t in line["taxes"]):
            problems.append(f"{inv['id']}: total_taxes disagree with the lines")
        if inv["amount_paid"] + inv["amount_remaining"] != inv["amount_due"]:
            problems.append(f"{inv['id']}: amount_paid {inv['amount_paid']} + amount_remaining "
                            f"{inv['amount_remaining']} != amount_due {inv['amount_due']}")
        if min(inv["amount_paid"], inv["amount_remaining"], inv["amount_due"]) < 0:
            problems.append(f"{inv['id']}: negative amount due/paid/remaining")
        if inv["status"] == "paid" and inv["amount_remaining"]:
            problems.append(f"{inv['id']}: paid with {inv['amount_remaining']} remaining")
        page = inv["lines"]
        if [line["id"] for line in page["data"]] != [line["id"] for line in lines[:10]] or \
                page["has_more"] != (len(lines) > 10):
            problems.append(f"{inv['id']}: embedded lines are not the first 10 of {len(lines)}")
        credited = sum(cn.data["total"] for cn in app.state.store.indexed("credit_note", "invoice", inv["id"]).records
                       if cn.data["status"] != "void")
        if credited != inv["pre_payment_credit_notes_amount"] + inv["post_payment_credit_notes_amount"]:
            problems.append(f"{inv['id']}: credit notes {credited} != pre + post credit note amounts")
        if inv["status"] != "draft" and inv["number"] is None:
            problems.append(f"{inv['id']}: finalized without a number")
    return problems


def charge_problems(app) -> list[str]:
    problems = []
    refunded = defaultdict(int)
    for refund in served(app, "refund"):
        if refund["status"] in ("failed", "canceled"):  # a failed refund's money is back in the balance
            if refund["status"] == "failed" and refund.get("failure_balance_transaction") is None:
                problems.append(f"{refund['id']}: failed without a failure balance transaction")
            continue
        refunded[refund["charge"]] += refund["amount"]
    for charge in served(app, "charge"):
        if refunded[charge["id"]] != charge["amount_refunded"]:
            problems.append(f"{charge['id']}: refunds {refunded[charge['id']]} != amount_refunded")
        if charge["amount_refunded"] > charge["amount"]:
            problems.append(f"{charge['id']}: refunded {charge['amount_refunded']} > charged {charge['amount']}")
        if charge["refunded"] != (charge["amount_refunded"] == charge["amount"]):
            problems.append(f"{charge['id']}: refunded flag wrong")
        if (charge["payment_method_details"] or {}).get("type") == "us_bank_account":  # ACH: one from the start
            if charge["balance_transaction"] is None:
                problems.append(f"{charge['id']}: ACH charge without its balance transaction")
            if (charge["status"] == "failed") != (charge["failure_balance_transaction"] is not None):
                problems.append(f"{charge['id']}: failure balance transaction iff failed")
        elif (charge["status"] == "succeeded") != (charge["balance_transaction"] is not None):
            problems.append(f"{charge['id']}: balance transaction iff succeeded")
    return problems


def balance_transaction_problems(app) -> list[str]:
    problems = []
    for txn in served(app, "balance_transaction"):
        if txn["net"] != txn["amount"] - txn["fee"]:
            problems.append(f"{txn['id']}: net != amount - fee")
        if sum(d["amount"] for d in txn["fee_details"]) != txn["fee"]:
            problems.append(f"{txn['id']}: fee_details do not sum to fee")
        if txn["currency"] != "usd":
            problems.append(f"{txn['id']}: not in the settlement currency")
    return problems


def payout_problems(app, list_payout_transactions=None) -> list[str]:
    """Each payout equals the ``net`` of the transactions paid out in it (its own row excluded)."""
    problems = []
    for payout in served(app, "payout"):
        if list_payout_transactions is not None:
            rows = list_payout_transactions(payout["id"])
        else:
            rows = [r.data for r in app.state.store.indexed("balance_transaction", "payout", payout["id"]).records]
        own = [row for row in rows if row["type"] == "payout"]
        others = [row for row in rows if row["type"] != "payout"]
        if len(own) != 1 or own[0]["id"] != payout["balance_transaction"] or own[0]["net"] != -payout["amount"]:
            problems.append(f"{payout['id']}: its own balance transaction is missing or wrong")
        if sum(row["net"] for row in others) != payout["amount"]:
            problems.append(f"{payout['id']}: amount {payout['amount']} != sum of nets {sum(r['net'] for r in others)}")
        if any(row["available_on"] > payout["created"] for row in others):
            problems.append(f"{payout['id']}: pays out funds not yet available")
        if payout["amount"] <= 0:
            problems.append(f"{payout['id']}: non-positive payout")
    return problems


def replay_problems(app) -> list[str]:
    """Apply every event's ``data.object`` in order: the last snapshot of each object is the object now."""
    last: dict[str, dict] = {}
    for event in app.state.store.ascending("event"):
        obj = event.data["data"]["object"]
        last[obj["id"]] = obj
    problems = []
    for object_id, snapshot in last.items():
        record = app.state.store.find(object_id)
        if record is None:
            problems.append(f"{object_id}: in events but not in the store")
            continue
        if record.deleted:
            continue
        now = app.resources[record.object_type].render(record)
        if now != snapshot:
            changed = sorted(k for k in set(now) | set(snapshot) if now.get(k) != snapshot.get(k))
            problems.append(f"{object_id} ({record.object_type}): served object differs from its last event in "
                            f"{changed}")
    return problems


def subscription_problems(app) -> list[str]:
    problems = []
    for sub in served(app, "subscription"):
        items = sub["items"]["data"]
        if not items:
            problems.append(f"{sub['id']}: no items")
        for item in items:
            if item["current_period_start"] >= item["current_period_end"]:
                problems.append(f"{sub['id']}: empty period on {item['id']}")
            stored = app.state.store.get("subscription_item", item["id"])
            if stored is None or stored.deleted or stored.data != item:
                problems.append(f"{sub['id']}: embedded item {item['id']} is stale")
    return problems


def task_problems(app) -> list[str]:
    return [f"scheduled task failed: {error}" for error in app.state.task_errors]


def all_problems(app) -> list[str]:
    return (task_problems(app) + invoice_problems(app) + charge_problems(app) + balance_transaction_problems(app)
            + payout_problems(app)
            + replay_problems(app) + subscription_problems(app))

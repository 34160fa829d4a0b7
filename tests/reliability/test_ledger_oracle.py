"""The oracle every reliability case ends with must itself catch what it promises to catch."""

import pytest

from tests.flows.helpers import run_dag
from tests.reliability.ledger import FLOW_DAGS, assert_ledger_clean, duplicated_external_ids, line_counts

pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


def test_a_clean_sync_passes_and_a_doubled_line_or_a_duplicate_does_not(dagbag, connections, tmp_path):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    for dag_id in FLOW_DAGS:
        assert run_dag(dagbag, dag_id).state == "success"
    assert_ledger_clean(dagbag, tmp_path)

    hook = NetSuiteHook()
    invoice_id = next(row["id"] for row in hook.suiteql("SELECT id FROM transaction WHERE recordtype = 'invoice'"))
    external_id = hook.rest.get("invoice", invoice_id)["externalId"]
    before = line_counts()[external_id]
    zero_line = {"item": {"externalId": "stripe-item-generic"}, "quantity": 1, "rate": 0, "amount": 0}
    hook.rest.request("PATCH", f"/record/v1/invoice/{invoice_id}", json={"item": {"items": [zero_line]}}).raise_for_status()
    assert line_counts()[external_id] == before + 1  # a stray line that changes no total: only the count shows it
    with pytest.raises(AssertionError, match=external_id):
        assert_ledger_clean(dagbag, tmp_path / "second")

    customer = next(iter(hook.suiteql("SELECT externalid, companyname FROM customer WHERE isperson = 'F'")))
    hook.rest.request("POST", "/record/v1/customer", json={"externalId": customer["externalid"] + "-copy",
                                                           "companyName": "copy", "subsidiary": {"id": "1"}})
    assert duplicated_external_ids() == {}  # different IDs are not duplicates

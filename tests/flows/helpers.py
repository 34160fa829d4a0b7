"""Running a flow DAG with dag.test() and reading what it left behind."""

from __future__ import annotations

import stripe


def run_dag(dagbag, dag_id: str, conf: dict | None = None):
    dag = dagbag.dags[dag_id]
    # dag.test() merges run_conf into the (session-cached) DAG's params, so always pass every
    # param: an earlier backfill's start/end must not leak into the next run.
    return dag.test(run_conf={**NO_PARAMS, **(conf or {})})


NO_PARAMS = {"start": None, "end": None, "stripe_ids": None, "force_rewrite": False}


def task_states(dag_run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in dag_run.get_task_instances()}


def xcom_return(dag_run, task_id: str):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=dag_run.dag_id, run_id=dag_run.run_id, task_id=task_id, key="return_value")
            .one_or_none()
        )
        return None if row is None else XComModel.deserialize_value(row)


def stripe_client(url: str) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_sandbox", base_addresses={"api": url}, max_network_retries=2)


def netsuite_customers() -> dict[str, dict]:
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    rows = NetSuiteHook().suiteql(
        "SELECT id, externalid, companyname, firstname, lastname, isperson, email, phone, lastmodifieddate "
        "FROM customer ORDER BY id"
    )
    return {row["externalid"]: row for row in rows}


def open_invoice(client, customer: str, currency: str, *amounts: int) -> str:
    """A finalized, unpaid invoice (sent, due in 30 days) of one-off lines."""
    invoice = client.v1.invoices.create(params={
        "customer": customer, "currency": currency, "collection_method": "send_invoice", "days_until_due": 30,
        "pending_invoice_items_behavior": "exclude"})
    for n, amount in enumerate(amounts, 1):
        client.v1.invoice_items.create(params={"customer": customer, "invoice": invoice.id, "amount": amount,
                                               "currency": currency, "description": f"Service {n}"})
    return client.v1.invoices.finalize_invoice(invoice.id).id

"""Settings that name wrong NetSuite records are refused before anything is written, naming the setting."""

from __future__ import annotations

import pytest

from stripe_netsuite import settings_check
from tests.flows.helpers import netsuite_customers, run_dag, task_states, xcom_return

INVOICES = "stripe_invoices_to_netsuite"
pytestmark = pytest.mark.usefixtures("airflow_db", "clean_variables")


@pytest.fixture
def settings_file(monkeypatch, tmp_path):
    def write(text: str):
        path = tmp_path / "settings.yaml"
        path.write_text(text)
        monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(path))
        settings_check._checked.clear()
        return path

    return write


def written_transactions_and_items():
    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    return (list(hook.suiteql("SELECT id FROM transaction")),
            [r for r in hook.suiteql("SELECT externalid FROM item") if r["externalid"].startswith(("price_", "coupon"))])


def sync_failure(dag_run) -> str:
    (sync,) = [ti for ti in dag_run.get_task_instances() if ti.task_id == "sync"]
    assert sync.state == "failed" and sync.try_number == 1  # failed at once: not up for retry
    return sync


@pytest.mark.parametrize("setting,value,expected", [
    ("tax_item", "99999", "invoices.tax_item: names the NetSuite item with internal ID 99999, which NetSuite does "
                          "not have"),
    ("item_income_account", "acct-operating-bank",
     "invoices.item_income_account: names the NetSuite account with external ID 'acct-operating-bank', a Bank "
     "account; it must be an Income or Other Income account"),
    ("void_item", "99999", "invoices.void_item: names the NetSuite item with internal ID 99999"),
    ("generic_discount_item", "stripe-item-generic", "it must be a Discount item"),
])
def test_a_wrong_record_in_the_settings_is_refused_before_any_write(dagbag, connections, settings_file, capsys,
                                                                     setting, value, expected):
    settings_file(f"invoices:\n  {setting}: {value}\n")
    dag_run = run_dag(dagbag, INVOICES)
    assert task_states(dag_run) == {"sync": "failed", "commit_cursor": "upstream_failed",
                                    "check_failed_records": "upstream_failed"}
    sync_failure(dag_run)
    assert expected in capsys.readouterr().out
    assert netsuite_customers() == {} and written_transactions_and_items() == ([], [])


def test_an_inactive_item_is_refused_and_the_fixed_settings_load(dagbag, connections, settings_file, capsys):
    import requests

    from stripe_netsuite.hooks.netsuite import NetSuiteHook

    hook = NetSuiteHook()
    hook.rest.request("PATCH", "/record/v1/otherChargeSaleItem/2", json={"isInactive": True}).raise_for_status()
    settings_file("invoices:\n  shipping_item: stripe-item-shipping\n")
    dag_run = run_dag(dagbag, INVOICES)
    sync_failure(dag_run)
    assert "invoices.shipping_item: names the NetSuite item with external ID 'stripe-item-shipping', which is " \
           "inactive in NetSuite" in capsys.readouterr().out
    hook.rest.request("PATCH", "/record/v1/otherChargeSaleItem/2", json={"isInactive": False}).raise_for_status()
    settings_check._checked.clear()
    dag_run = run_dag(dagbag, INVOICES)
    assert dag_run.state == "success", task_states(dag_run)
    assert xcom_return(dag_run, "sync")["failed"] == []
    del requests


def test_the_admin_command_says_what_is_wrong(connections, settings_file, capsys):
    settings_file("invoices:\n  item_income_account: acct-operating-bank\n  tax_item: 99999\n")
    assert settings_check.main([]) == 1
    out = capsys.readouterr().out
    assert "invoices.item_income_account" in out and "invoices.tax_item" in out
    settings_file("invoices:\n  item_income_account: acct-sales-income\n")
    assert settings_check.main(["invoices"]) == 0
    assert "Settings OK" in capsys.readouterr().out


def test_switched_off_flows_are_not_checked(connections, settings_file):
    from stripe_netsuite.hooks.netsuite import NetSuiteHook
    from stripe_netsuite.settings import load_settings

    settings_file("invoices:\n  enabled: false\n  tax_item: 99999\n")
    assert settings_check.problems(NetSuiteHook(), load_settings(), ["customers", "invoices"]) == []


PAYMENTS = "stripe_payments_to_netsuite"


@pytest.mark.parametrize("settings_text,expected", [
    ("payments:\n  payment_method: cheque\n",
     "payments.payment_method: names the NetSuite paymentmethod with external ID 'cheque', which NetSuite does not have"),
    ("payments:\n  out_of_band: record\n  out_of_band_account: acct-sales-income\n",
     "payments.out_of_band_account: names the NetSuite account with external ID 'acct-sales-income', an Income account; "
     "it must be a Bank or Other Current Asset account"),
    ("payments:\n  standalone_charges: invoice\n  standalone_item: stripe-item-discount\n",
     "payments.standalone_item: names the NetSuite item with external ID 'stripe-item-discount', a Discount item"),
    ("payments:\n  guest_customer: 4242\n",
     "payments.guest_customer: names the NetSuite customer with internal ID 4242, which NetSuite does not have"),
    ("invoices:\n  tax_item: 99999\n",  # a payment may write its invoice on the way: the invoice settings count too
     "invoices.tax_item: names the NetSuite item with internal ID 99999"),
])
def test_the_payments_flow_checks_its_settings_before_any_write(dagbag, connections, settings_file, capsys,
                                                                 settings_text, expected):
    settings_file(settings_text)
    dag_run = run_dag(dagbag, PAYMENTS)
    sync_failure(dag_run)
    assert expected in capsys.readouterr().out
    assert netsuite_customers() == {} and written_transactions_and_items() == ([], [])


@pytest.mark.parametrize("settings_text,expected", [
    ("payouts:\n  bank_accounts:\n    usd: acct-stripe-fees\n",
     "payouts.bank_accounts.usd: names the NetSuite account with external ID 'acct-stripe-fees', an Expense account; "
     "it must be a Bank account"),
    ("payouts:\n  fee_accounts:\n    dispute: acct-operating-bank\n",
     "payouts.fee_accounts.dispute: names the NetSuite account with external ID 'acct-operating-bank', a Bank account"),
    ("refunds:\n  dispute_item: 99999\n",  # a payout may write its refunds and disputes on the way
     "refunds.dispute_item: names the NetSuite item with internal ID 99999"),
])
def test_the_payouts_flow_checks_its_settings_before_any_write(dagbag, connections, settings_file, capsys,
                                                                settings_text, expected):
    settings_file(settings_text)
    dag_run = run_dag(dagbag, "stripe_payouts_to_netsuite")
    sync_failure(dag_run)
    assert expected in capsys.readouterr().out
    assert netsuite_customers() == {} and written_transactions_and_items() == ([], [])

"""Re-sent records replace their lines: the REST transport names every line sublist in ``replace``."""

from stripe_netsuite.hooks.netsuite_rest import RestTransport


def test_every_line_sublist_is_replaced_and_apply_stays_keyed_by_document():
    invoice = {"memo": "x", "item": {"items": [{"amount": 1}]}, "apply": {"items": [{"doc": {"id": "7"}}]}}
    customer = {"addressBook": {"items": []}, "currencyList": {"items": [{"currency": {"id": "1"}}]}}
    assert RestTransport.replace_param(invoice) == {"replace": "item"}
    assert RestTransport.replace_param(customer) == {"replace": "addressBook,currencyList"}
    assert RestTransport.replace_param(invoice, customer) == {"replace": "addressBook,currencyList,item"}
    assert RestTransport.replace_param({"memo": "no lines", "entity": {"id": "3"}}) == {}

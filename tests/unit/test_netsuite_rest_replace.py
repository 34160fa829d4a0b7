"""Re-sent records replace their lines: the REST transport names every line sublist in ``replace``."""

from stripe_netsuite.hooks.netsuite_rest import RestTransport


def test_every_line_sublist_is_replaced_and_apply_stays_keyed_by_document():
    invoice = {"memo": "x", "item": {"items": [{"amount": 1}]}, "apply": {"items": [{"doc": {"id": "7"}}]}}
    customer = {"addressBook": {"items": []}, "currencyList": {"items": [{"currency": {"id": "1"}}]}}
    assert RestTransport.replace_param(invoice) == {"replace": "item"}
    assert RestTransport.replace_param(customer) == {"replace": "addressBook,currencyList"}
    assert RestTransport.replace_param(invoice, customer) == {"replace": "addressBook,currencyList,item"}
    assert RestTransport.replace_param({"memo": "no lines", "entity": {"id": "3"}}) == {}


def test_every_write_asks_netsuite_to_refuse_a_field_name_it_does_not_know(mocker):
    """NetSuite's default for an unknown field is a warning: it drops the field and the write succeeds."""
    from stripe_netsuite.hooks.netsuite_rest import STRICT_FIELD_NAMES

    transport = RestTransport.__new__(RestTransport)
    sent = []

    def request(method, path, **kwargs):
        sent.append(kwargs["headers"])
        return mocker.Mock(status_code=202 if "Prefer" in kwargs["headers"] else 204,
                           headers={"Location": "https://x/services/rest/record/v1/deposit/7" if "Prefer" not in
                                    kwargs["headers"] else "https://x/services/rest/async/v1/job/1"})

    transport.request = request
    transport.upsert("deposit", "po_1", {"cashback": {"items": []}})
    transport.submit_batch("deposit", [("po_1", {"memo": "x"}, "po_1")])
    assert STRICT_FIELD_NAMES == {"X-NetSuite-PropertyNameValidation": "Error"}
    assert all(headers["X-NetSuite-PropertyNameValidation"] == "Error" for headers in sent) and len(sent) == 2

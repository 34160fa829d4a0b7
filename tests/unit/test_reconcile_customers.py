from stripe_netsuite.reconcile.customers import reconcile_customers


def test_all_matched():
    report = reconcile_customers([{"id": "cus_1", "email": "a@x.test"}], [{"externalid": "cus_1", "email": "a@x.test"}])
    assert report.ok and report.matched == 1
    assert report.lines() == ["customers: Stripe 1, NetSuite 1, matched 1 - OK"]


def test_every_kind_of_difference_is_reported():
    stripe = [{"id": "cus_1", "email": "a@x.test"}, {"id": "cus_2", "email": None}, {"id": "cus_3", "email": "c@x.test"}]
    netsuite = [
        {"externalid": "cus_1", "email": "other@x.test"},
        {"externalid": "cus_3", "email": "c@x.test"},
        {"externalid": "cus_3", "email": "c@x.test"},
        {"externalid": "cus_9"},
        {"externalid": "cus_8"},
        {"externalid": "CUST-LOCAL"},
    ]
    report = reconcile_customers(stripe, netsuite, deleted_in_stripe=["cus_8"])
    assert not report.ok
    assert report.missing_in_netsuite == ["cus_2"]
    assert report.only_in_netsuite == ["cus_9"]
    assert report.deleted_in_stripe == ["cus_8"]
    assert report.duplicated_in_netsuite == ["cus_3"]
    assert report.email_mismatches == [("cus_1", "a@x.test", "other@x.test")]
    text = "\n".join(report.lines())
    assert "MISMATCH" in text and "cus_2" in text and "cus_9" in text and "cus_8" in text

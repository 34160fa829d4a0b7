from stripe_netsuite.reconcile.customers import reconcile_customers


def test_all_matched():
    report = reconcile_customers([{"id": "cus_1", "email": "a@x.test"}], [{"externalid": "cus_1", "email": "a@x.test"}])
    assert report.ok and report.matched == 1
    assert report.lines() == ["customers: Stripe 1, NetSuite 1, matched 1 - OK"]


def test_every_kind_of_difference_is_reported():
    stripe = [{"id": "cus_1", "email": "a@x.test"}, {"id": "cus_2", "email": None}, {"id": "cus_3", "email": "c@x.test"}]
    netsuite = [
        {"id": "10", "externalid": "cus_1", "email": "other@x.test"},
        {"id": "11", "externalid": "cus_3", "email": "c@x.test"},
        {"id": "12", "externalid": "cus_3", "email": "c@x.test"},
        {"id": "13", "externalid": "cus_9"},
        {"id": "14", "externalid": "cus_8"},
        {"id": "15", "externalid": "CUST-LOCAL"},
    ]
    report = reconcile_customers(stripe, netsuite, deleted_in_stripe=["cus_8"])
    assert not report.ok
    assert report.missing_in_netsuite == ["cus_2"]
    assert report.only_in_netsuite == ["cus_9"]
    assert report.deleted_in_stripe == ["cus_8"]
    assert report.duplicated_in_netsuite == ["cus_3"]
    assert report.email_mismatches == [("cus_1", "a@x.test", "other@x.test")]
    assert report.lines() == [
        "customers: Stripe 3, NetSuite 5, matched 1 - MISMATCH",
        f"  cus_2: missing in NetSuite -> {rewrite('cus_2')} (if its check_failed_records task lists cus_2, fix the "
        "cause it gives first)",
        "  cus_9: in NetSuite (internal ID 13), not in Stripe -> check NetSuite: a customer created or copied "
        "by hand there, or from another Stripe account, carries this external ID; delete it or change its external ID "
        "in NetSuite",
        "  cus_3: 2 NetSuite customers share this external ID (internal IDs 11, 12) -> check NetSuite: a "
        "customer created or copied by hand there carries this external ID too; delete that duplicate or change its "
        "external ID in NetSuite",
        f"  cus_1: email Stripe 'a@x.test', NetSuite 'other@x.test' -> {rewrite('cus_1')}",
        "  cus_8: deleted in Stripe, kept in NetSuite by design (settings customers.on_delete); not a difference",
    ]
    assert report.problems() == [line.strip() for line in report.lines()[1:-1]]  # the deleted one is no problem


def rewrite(customer_id):
    return f"fix: trigger stripe_customers_to_netsuite with stripe_ids [{customer_id}] and force_rewrite on"


def test_an_email_missing_on_one_side_reads_none():
    report = reconcile_customers([{"id": "cus_1", "email": " "}, {"id": "cus_2", "email": "b@x.test"}],
                                 [{"externalid": "cus_1", "email": "a@x.test"}, {"externalid": "cus_2"}])
    assert report.problems() == [f"cus_1: email Stripe (none), NetSuite 'a@x.test' -> {rewrite('cus_1')}",
                                 f"cus_2: email Stripe 'b@x.test', NetSuite (none) -> {rewrite('cus_2')}"]


def test_an_email_the_customers_flow_does_not_write_is_corrected_in_netsuite():
    report = reconcile_customers([{"id": "cus_1", "email": "a@x.test"}], [{"externalid": "cus_1", "email": "b@x.test"}],
                                 rewritable=False)
    assert report.problems() == [
        "cus_1: email Stripe 'a@x.test', NetSuite 'b@x.test' -> correct it in NetSuite by hand: the customers flow "
        "does not update NetSuite's customers (settings customers.enabled or customers.update_existing)"]


def test_rows_without_internal_ids_still_name_the_difference():
    report = reconcile_customers([], [{"externalid": "cus_9"}, {"externalid": "cus_3"}, {"externalid": "cus_3"}])
    assert [line.split(" -> ")[0] for line in report.problems()] == [
        "cus_3: in NetSuite, not in Stripe", "cus_9: in NetSuite, not in Stripe",
        "cus_3: 2 NetSuite customers share this external ID"]

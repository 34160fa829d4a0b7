"""The pure Stripe customer -> NetSuite customer mapping."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stripe_netsuite.mapping.countries import ISO_COUNTRY_CODES, normalize_country
from stripe_netsuite.mapping.customers import map_customer
from stripe_netsuite.mapping.records import MappingError
from stripe_netsuite.settings import CustomerSettings

CURRENCIES = {"USD": "1", "EUR": "2", "GBP": "3", "JPY": "4"}


def customer(**overrides):
    base = {
        "id": "cus_ABC123",
        "object": "customer",
        "name": None,
        "description": None,
        "email": None,
        "phone": None,
        "address": None,
        "shipping": None,
        "currency": None,
        "metadata": {},
    }
    base.update(overrides)
    return base


def mapped(cust, **settings):
    return map_customer(cust, settings=CustomerSettings(**settings), subsidiary_id="1", currency_ids=CURRENCIES)


def test_ids_subsidiary_and_comments():
    record = mapped(customer(name="Acme GmbH", description="Key account"))
    assert record.record_type == "customer"
    assert record.external_id == "cus_ABC123" == record.source_id
    assert record.fields["entityId"] == "cus_ABC123"
    assert record.fields["subsidiary"] == {"id": "1"}
    assert record.fields["comments"] == "Stripe: cus_ABC123\nStripe description: Key account"


def test_company_by_default():
    record = mapped(customer(name="Jane Doe"))
    assert record.fields["isPerson"] is False
    assert record.fields["companyName"] == "Jane Doe"
    assert "firstName" not in record.fields


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"name": "Acme"}, "Acme"),
        ({"description": "Acme via description"}, "Acme via description"),
        ({"email": "billing@acme.test"}, "billing@acme.test"),
        ({}, "cus_ABC123"),
        ({"name": "  ", "description": "Desc"}, "Desc"),
    ],
)
def test_company_name_fallbacks(overrides, expected):
    assert mapped(customer(**overrides)).fields["companyName"] == expected


def test_company_name_truncated_to_netsuite_length():
    assert len(mapped(customer(name="X" * 200)).fields["companyName"]) == 83


def test_individual_from_metadata_wins_over_settings():
    record = mapped(customer(name="Whatever Ltd", metadata={"netsuite_first_name": "Ada", "netsuite_last_name": "Lovelace"}))
    assert record.fields["isPerson"] is True
    assert (record.fields["firstName"], record.fields["lastName"]) == ("Ada", "Lovelace")
    assert "companyName" not in record.fields


def test_half_a_personal_name_in_metadata_is_a_mapping_error():
    with pytest.raises(MappingError) as info:
        mapped(customer(metadata={"netsuite_first_name": "Ada"}))
    assert info.value.stripe_id == "cus_ABC123"
    assert "netsuite_last_name" in str(info.value)


def test_individual_setting_splits_at_first_space():
    record = mapped(customer(name="Mary Ann Smith"), default_type="individual")
    assert (record.fields["firstName"], record.fields["lastName"]) == ("Mary", "Ann Smith")


def test_individual_setting_one_word_name_stays_company():
    record = mapped(customer(name="Cher"), default_type="individual")
    assert record.fields["isPerson"] is False and record.fields["companyName"] == "Cher"


def test_email_and_phone_trimmed_and_omitted_when_missing():
    record = mapped(customer(email=" a@b.test ", phone=" +1 555 0100 "))
    assert record.fields["email"] == "a@b.test"
    assert record.fields["phone"] == "+1 555 0100"
    bare = mapped(customer())
    assert "email" not in bare.fields and "phone" not in bare.fields


def test_currency_resolved_by_iso_code():
    assert mapped(customer(currency="eur")).fields["currency"] == {"id": "2"}
    assert "currency" not in mapped(customer()).fields


def test_currency_missing_in_netsuite_is_a_clear_mapping_error():
    with pytest.raises(MappingError) as info:
        mapped(customer(currency="chf"))
    message = str(info.value)
    assert "cus_ABC123" in message and "CHF" in message and "next run retries" in message


ADDRESS = {"line1": "1 Main St", "line2": None, "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "us"}


def test_billing_and_same_shipping_address_make_one_entry():
    record = mapped(customer(name="Acme", address=ADDRESS, shipping={"name": "Acme", "address": ADDRESS, "phone": None}))
    (entry,) = record.fields["addressBook"]["items"]
    assert entry["defaultBilling"] and entry["defaultShipping"]
    assert entry["addressBookAddress"] == {
        "addressee": "Acme", "addr1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US",
    }


def test_distinct_billing_and_shipping_addresses():
    shipping_address = {**ADDRESS, "line1": "9 Dock Rd", "country": "DE"}
    record = mapped(customer(address=ADDRESS, shipping={"name": "Warehouse", "address": shipping_address, "phone": "+49 30 1234567"}))
    billing, shipping = record.fields["addressBook"]["items"]
    assert billing["defaultBilling"] and not billing["defaultShipping"]
    assert shipping["defaultShipping"] and not shipping["defaultBilling"]
    assert shipping["addressBookAddress"]["country"] == "DE"
    assert shipping["addressBookAddress"]["addressee"] == "Warehouse"
    assert shipping["addressBookAddress"]["addrPhone"] == "+49 30 1234567"


def test_empty_address_is_no_address():
    empty = {k: None for k in ADDRESS}
    assert "addressBook" not in mapped(customer(address=empty, shipping={"address": empty})).fields


def test_invalid_country_left_blank():
    record = mapped(customer(address={**ADDRESS, "country": "Narnia"}))
    assert "country" not in record.fields["addressBook"]["items"][0]["addressBookAddress"]


@pytest.mark.parametrize("bad", [{"id": "in_1"}, {"id": ""}, {}])
def test_not_a_customer(bad):
    with pytest.raises(MappingError):
        mapped(bad)


def test_deleted_customer_not_created():
    with pytest.raises(MappingError, match="deleted"):
        mapped(customer(deleted=True))


def test_country_table():
    assert len(ISO_COUNTRY_CODES - {"XK"}) == 249  # ISO 3166-1 officially assigned, plus Kosovo
    assert normalize_country(" gb ") == "GB"
    assert normalize_country("UK") is None
    assert normalize_country(None) is None


names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)


@given(name=names, description=st.none() | names, email=st.none() | st.emails(), default_type=st.sampled_from(["company", "individual"]))
def test_any_customer_maps_to_a_valid_entity(name, description, email, default_type):
    record = mapped(customer(name=name, description=description, email=email), default_type=default_type)
    fields = record.fields
    if fields["isPerson"]:
        assert fields["firstName"].strip() and fields["lastName"].strip()
        assert len(fields["firstName"]) <= 32 and len(fields["lastName"]) <= 32
    else:
        assert fields["companyName"].strip() and len(fields["companyName"]) <= 83
    assert record.fingerprint() == mapped(customer(name=name, description=description, email=email), default_type=default_type).fingerprint()


def test_long_description_cut_to_netsuite_comment_length():
    assert len(mapped(customer(description="d" * 5000)).fields["comments"]) == 999


@pytest.mark.parametrize("phone, kept", [("+1 555 0100", "+1 555 0100"), ("12345", None), ("ext. 12", None), ("", None)])
def test_phone_netsuite_would_refuse_is_left_out(phone, kept):
    record = mapped(customer(phone=phone, address=ADDRESS))
    assert record.fields.get("phone") == kept
    assert record.fields["addressBook"]["items"][0]["addressBookAddress"].get("addrPhone") == kept

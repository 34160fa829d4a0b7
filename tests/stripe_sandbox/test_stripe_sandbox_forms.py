"""The form/query decoder, checked against the SDK's own encoder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode
from stripe_sandbox.errors import StripeApiError
from stripe_sandbox.forms import as_list, decode_pairs


def test_nested_keys():
    pairs = [
        ("metadata[plan]", "pro"),
        ("metadata[empty]", ""),
        ("shipping[address][city]", "Berlin"),
        ("expand[]", "a"),
        ("expand[]", "b"),
        ("types[0]", "customer.created"),
        ("types[1]", "customer.updated"),
        ("created[gte]", "1"),
        ("email", ""),
    ]
    decoded = decode_pairs(pairs)
    assert decoded["metadata"] == {"plan": "pro", "empty": ""}
    assert decoded["shipping"] == {"address": {"city": "Berlin"}}
    assert as_list(decoded["expand"], "expand") == ["a", "b"]
    assert as_list(decoded["types"], "types") == ["customer.created", "customer.updated"]
    assert decoded["created"] == {"gte": "1"}
    assert decoded["email"] == ""


def test_numeric_metadata_keys_stay_keys():
    assert decode_pairs([("metadata[0]", "x")]) == {"metadata": {"0": "x"}}


def test_list_indexes_sort_numerically():
    pairs = [(f"expand[{i}]", str(i)) for i in range(12)]
    assert as_list(decode_pairs(pairs)["expand"], "expand") == [str(i) for i in range(12)]


@pytest.mark.parametrize("key", ["a[b", "a]", "[a]", "a[b]c"])
def test_malformed_keys_are_400(key):
    with pytest.raises(StripeApiError) as exc:
        decode_pairs([(key, "x")])
    assert exc.value.status == 400


def test_value_and_hash_conflict_is_400():
    with pytest.raises(StripeApiError):
        decode_pairs([("a", "1"), ("a[b]", "2")])
    with pytest.raises(StripeApiError):
        decode_pairs([("a[b]", "2"), ("a", "1")])


_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_text = st.text(max_size=12)
_tree = st.recursive(
    _text | st.lists(_text, min_size=1, max_size=3),
    lambda children: st.dictionaries(_name, children, min_size=1, max_size=3),
    max_leaves=12,
)


def _normalise(decoded, original):
    """Lists come back as index-keyed dicts; turn them into lists where the original had one."""
    if isinstance(original, list):
        return as_list(decoded, "x")
    if isinstance(original, dict):
        return {k: _normalise(decoded[k], v) for k, v in original.items()}
    return decoded


@given(st.dictionaries(_name, _tree, max_size=4))
def test_round_trip_with_the_sdk_encoder(params):
    decoded = decode_pairs(list(_api_encode(params)))
    assert _normalise(decoded, params) == params

"""Money rules, each in its own module; all amounts are ``int`` minor units, arithmetic in ``Decimal``.

``currency`` decimals and charge steps · ``money`` rounding and exact allocation · ``proration``
(by the second) · ``discounts`` (coupons, before tax) · ``tax`` (exclusive and inclusive rates,
rounded per line) · ``totals`` (invoice and credit note sums) · ``fx`` (to the settlement
currency) · ``fees`` (card processing and dispute fees) · ``periods`` (billing intervals) ·
``dunning`` (payment retries) · ``settlement`` (when funds become available and are paid out) ·
``payment_methods`` (test cards and their outcomes).
"""

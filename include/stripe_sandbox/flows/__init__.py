"""Workflows that span several objects (an invoice payment touches the invoice, its payment intent,
charge, balance transaction and invoice payment). Each step writes through the resources' own
write helpers (``insert`` / ``replace`` / ``emit``), so HTTP calls, scheduled tasks and scenario
seeding produce the same objects and events.

``lines`` invoice line sources -> line objects · ``invoicing`` the invoice state machine ·
``payments`` payment intents, charges and their balance transactions · ``subscriptions`` cycles,
prorations, cancellation · ``credit_notes`` · ``disputes`` · ``payouts``.
"""

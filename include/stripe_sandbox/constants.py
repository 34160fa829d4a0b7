"""Values shared across the sandbox."""

API_VERSION = "2026-10-28.endive"  # what stripe==16.1.0 pins and sends as Stripe-Version
DEFAULT_API_KEY = "sk_test_sandbox"
EVENT_RETENTION_SECONDS = 30 * 24 * 3600  # events are listable and retrievable for 30 days
IDEMPOTENCY_RETENTION_SECONDS = 24 * 3600  # saved idempotent results may be pruned after 24 h

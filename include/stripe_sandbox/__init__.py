"""A local, stateful Stripe API sandbox (v1 wire format) for tests and the demo.

Embed it with ``sandbox_kit.start_background(StripeSandbox(...))`` or run
``stripe-sandbox serve --port 8420 --scenario demo``.
"""

from stripe_sandbox.app import StripeSandbox
from stripe_sandbox.constants import API_VERSION, DEFAULT_API_KEY
from stripe_sandbox.scenarios import SCENARIOS

__all__ = ["StripeSandbox", "API_VERSION", "DEFAULT_API_KEY", "SCENARIOS"]

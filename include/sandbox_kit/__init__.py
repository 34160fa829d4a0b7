"""HTTP plumbing shared by the two local sandboxes (Stripe, NetSuite).

Each sandbox is an ``App``: a list of routes, each a method, a path regex and a handler that
takes a ``Request`` and returns a ``Response``. ``serve`` runs an app until SIGTERM or SIGINT;
``start_background`` runs it on a thread (tests, the demo) and returns a handle with the URL.
"""

from sandbox_kit.http import App, Request, Response, json_response
from sandbox_kit.server import BackgroundServer, serve, start_background

__all__ = ["App", "Request", "Response", "json_response", "serve", "start_background", "BackgroundServer"]

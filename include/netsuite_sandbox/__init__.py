"""A local, stateful NetSuite account: REST record API (single and batch), SuiteQL, SOAP
(2023_2), TBA and OAuth 2.0 auth, concurrency limits, accounting rules and a general ledger.

Start it with ``netsuite-sandbox serve --port 8091 --db ns.db`` or in-process::

    from sandbox_kit import start_background
    from netsuite_sandbox import NetSuiteSandbox
    server = start_background(NetSuiteSandbox("ns.db"))   # server.url, server.stop()
"""

from netsuite_sandbox.app import NetSuiteSandbox
from netsuite_sandbox.auth import TbaCredentials
from netsuite_sandbox.oauth2 import OAuth2Client

__all__ = ["NetSuiteSandbox", "OAuth2Client", "TbaCredentials"]

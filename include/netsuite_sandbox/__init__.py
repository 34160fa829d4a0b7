"""A local, stateful NetSuite account: REST record API, SuiteQL, TBA auth, concurrency limits.

Start it with ``netsuite-sandbox serve --port 8091 --db ns.db`` or in-process::

    from sandbox_kit import start_background
    from netsuite_sandbox import NetSuiteSandbox
    server = start_background(NetSuiteSandbox("ns.db"))   # server.url, server.stop()
"""

from netsuite_sandbox.app import NetSuiteSandbox
from netsuite_sandbox.auth import TbaCredentials

__all__ = ["NetSuiteSandbox", "TbaCredentials"]

"""The "Stripe ↔ NetSuite" page in Airflow's UI: the latest reconciliation report, each flow's retry queue
and the runs that failed, for finance ops, behind Airflow's own login and permissions.

- ``plugin.py``: the Airflow plugin (``fastapi_apps`` + an ``external_views`` entry in the navigation),
  registered by the distribution's ``airflow.plugins`` entry point.
- ``app.py``: the FastAPI app the API server mounts under ``/stripe-netsuite``; who may see what.
- ``data.py``: what the page shows, read from Airflow's metadata DB in the API server.
- ``render.py``: the page's HTML, every value escaped (pure: unit-tested without Airflow).

Only ``plugin.py`` is imported outside the API server (every Airflow process loads plugins), so it
imports nothing heavy; the app is built on first use.
"""

URL_PREFIX = "/stripe-netsuite"
PAGE_NAME = "Stripe ↔ NetSuite"
URL_ROUTE = "stripe-netsuite"

"""The Airflow plugin: the "Stripe ↔ NetSuite" page in the UI's navigation.

Registered by the distribution's ``airflow.plugins`` entry point (``pyproject.toml``), so an installed
package brings it to every Airflow it is installed in; ``plugins/.airflowignore`` keeps Airflow's
plugins-folder loader out of the package, so it is never registered twice.

Every Airflow process loads plugins (the task runner too, for macros and listeners), so this module
imports nothing heavy: the FastAPI app (and Airflow's API modules) load only when the API server asks
for ``fastapi_apps``.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from stripe_netsuite.ui import PAGE_NAME, URL_PREFIX, URL_ROUTE


class StripeNetSuiteUiPlugin(AirflowPlugin):
    name = "stripe_netsuite_ui"
    # The UI shows the page in its own frame at /plugin/<url_route>; href is relative to Airflow's base URL.
    external_views = [
        {
            "name": PAGE_NAME,
            "href": f"{URL_ROUTE}/",
            "destination": "nav",
            "url_route": URL_ROUTE,
            "nav_top_level": True,
        }
    ]

    @property  # read-only on purpose: the app is built on first use
    def fastapi_apps(self) -> list[dict[str, Any]]:  # type: ignore[override]
        from stripe_netsuite.ui.app import app

        return [{"app": app, "url_prefix": URL_PREFIX, "name": PAGE_NAME}]

"""The FastAPI app Airflow's API server mounts under ``/stripe-netsuite`` (see ``plugin.py``).

Who may see the page is Airflow's to say, with Airflow's own dependencies:

- ``GetUserDep`` (``airflow.api_fastapi.core_api.security.get_user``) reads the JWT the UI holds (the
  ``_token`` cookie the login sets, which the UI's iframe sends) or an ``Authorization: Bearer`` token,
  and refuses the request without one (401) or with a bad one (401 expired / 403 invalid).
- The signed-in user must then be allowed to read the runs of at least one stripe-netsuite DAG
  (``is_authorized_dag``, GET, ``DagAccessEntity.RUN``, per DAG), or gets 403.
- Each section asks again for what it reads: the report the reconciliation DAG's XComs
  (``DagAccessEntity.XCOM``), a retry queue its Variable (``is_authorized_variable``, GET), runs and failed
  tasks the DAG's runs and task instances. A section the user may not read says so and shows nothing.

The data comes from the API server's DB session (``SessionDep``). Responses are never cached and carry a
Content-Security-Policy that allows no script but the page's own (nonce) and no framing by another site.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails, VariableDetails
from airflow.api_fastapi.common.db.common import SessionDep
from airflow.api_fastapi.core_api.security import GetUserDep

from stripe_netsuite.ui import PAGE_NAME, URL_PREFIX
from stripe_netsuite.ui.data import ProjectDag, collect, project_dags
from stripe_netsuite.ui.render import Links, render_page, render_refusal


@dataclass
class AirflowAccess:
    """``data.Access`` answered by Airflow's auth manager for ``user``."""

    user: BaseUser
    teams: dict[str, str | None] = field(default_factory=dict)  # DAG ID -> its team (multi-team Airflow)

    def may_read_dag(self, dag_id: str, entity: str) -> bool:
        return get_auth_manager().is_authorized_dag(
            method="GET", access_entity=DagAccessEntity[entity],
            details=DagDetails(id=dag_id, team_name=self.teams.get(dag_id)), user=self.user)

    def may_read_variable(self, key: str, team_name: str | None) -> bool:
        return get_auth_manager().is_authorized_variable(
            method="GET", details=VariableDetails(key=key, team_name=team_name), user=self.user)


@dataclass
class Granted:
    access: AirflowAccess
    dags: list[ProjectDag]


def page_access(user: GetUserDep, session: SessionDep) -> Granted:
    """A signed-in user (``GetUserDep``) who may read the runs of a stripe-netsuite DAG; else 403."""
    from airflow.models.dag import DagModel

    dags = project_dags(session)
    teams = DagModel.get_dag_id_to_team_name_mapping([d.dag_id for d in dags], session=session) if dags else {}
    access = AirflowAccess(user, dict(teams))
    if dags:
        allowed = any(access.may_read_dag(d.dag_id, "RUN") for d in dags)
    else:  # no DAG parsed yet: any user who may read DAG runs in general
        allowed = get_auth_manager().is_authorized_dag(method="GET", access_entity=DagAccessEntity.RUN, user=user)
    if not allowed:
        raise HTTPException(403, "Forbidden: the user may not read the runs of any stripe-netsuite DAG")
    return Granted(access, dags)


def airflow_base(request: Request) -> str:
    """Airflow's base path ('' or e.g. '/airflow'): the app's mount point less ``URL_PREFIX``."""
    root = str(request.scope.get("root_path") or "").rstrip("/")
    return root.removesuffix(URL_PREFIX)


def security_headers(nonce: str | None = None) -> dict[str, str]:
    scripts = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        "Content-Security-Policy": (f"default-src 'none'; style-src {scripts}; script-src {scripts}; "
                                    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def create_app() -> FastAPI:
    app = FastAPI(title=PAGE_NAME, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def page(request: Request, granted: Annotated[Granted, Depends(page_access)], session: SessionDep) -> Response:
        data = collect(session, granted.access, user=granted.access.user.get_name(), dags=granted.dags)
        nonce = secrets.token_urlsafe(16)
        return HTMLResponse(render_page(data, Links(airflow_base(request)), nonce=nonce),
                            headers=security_headers(nonce))

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: Any) -> Response:
        """A browser gets a short page (same status); an API client Airflow's JSON ``{"detail": ...}``."""
        if exc.status_code in (401, 403) and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(render_refusal(exc.status_code, str(exc.detail), f"{airflow_base(request)}/"),
                                status_code=exc.status_code, headers=security_headers())
        return await http_exception_handler(request, exc)

    return app


app = create_app()

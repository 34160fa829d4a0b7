"""What the page shows, read from Airflow's metadata DB in the API server (its own request session).

- The project's DAGs are found by their tags (``dag_defaults.tags``: ``stripe``, ``netsuite`` and the flow's
  name, or ``reconciliation``), so renamed DAG IDs still show.
- The latest report is the newest XCom return value of a reconciliation DAG's ``reconcile`` task
  (``ReconciliationReport.summary()``), as ``tests/flows/helpers.xcom_return`` reads it.
- A flow's retry queue is its Variable (``sync.retry_queue.retry_queue_key``); every flow DAG gets a queue
  (empty when its Variable is absent), and any queue Variable without a DAG shows too.
- Failing runs: the newest failed runs of those DAGs, with their failed tasks.

What the user may see is asked of Airflow's auth manager through ``Access`` (``app.AirflowAccess``), per
DAG and per Variable: a section the user may not read is marked so, never shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from stripe_netsuite.sync.retry_queue import retry_queue_key, what_to_do

PROJECT_TAGS = frozenset({"stripe", "netsuite"})
RECONCILIATION = "reconciliation"
REPORT_TASK = "reconcile"
FAILED_RUNS_SHOWN = 20


class Access(Protocol):
    """What the signed-in user may read (asked of Airflow's auth manager)."""

    def may_read_dag(self, dag_id: str, entity: str) -> bool:
        """``entity``: a ``DagAccessEntity`` name: ``RUN``, ``TASK_INSTANCE``, ``XCOM``."""
        ...

    def may_read_variable(self, key: str, team_name: str | None) -> bool: ...


@dataclass(frozen=True)
class ProjectDag:
    dag_id: str
    kind: str  # the flow's name (customers, invoices, ...) or "reconciliation"
    is_paused: bool = False


@dataclass
class RunInfo:
    dag_id: str
    run_id: str
    state: str | None
    run_after: dt.datetime | None
    failed_tasks: list[str] | None = None  # None: the user may not read the run's task instances


@dataclass
class ReportInfo:
    dag_id: str
    run_id: str
    written_at: dt.datetime | None
    run_state: str | None
    summary: Any  # the reconcile task's return value: a dict from ReconciliationReport.summary()


@dataclass
class QueuedRecord:
    stripe_id: str
    code: str
    message: str
    attempts: str
    first_failed_at: str
    last_failed_at: str
    last_run_id: str
    what_to_do: str


@dataclass
class RetryQueueInfo:
    flow: str
    key: str
    dag_id: str | None
    allowed: bool = True
    records: list[QueuedRecord] = field(default_factory=list)
    problem: str | None = None  # the Variable holds something this page cannot read


@dataclass
class DagStatus:
    dag: ProjectDag
    latest: RunInfo | None


@dataclass
class PageData:
    generated_at: dt.datetime
    user: str
    dags: list[ProjectDag] = field(default_factory=list)
    report: ReportInfo | None = None
    report_allowed: bool = True  # False: reconciliation DAGs exist but the user may not read their XComs
    queues: list[RetryQueueInfo] = field(default_factory=list)
    statuses: list[DagStatus] = field(default_factory=list)
    failed_runs: list[RunInfo] = field(default_factory=list)
    runs_allowed: bool = True  # False: the user may read no project DAG's runs


def _state(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def project_dags(session: Session) -> list[ProjectDag]:
    """The stripe-netsuite DAGs Airflow knows (not stale), by tag; reconciliation last."""
    from airflow.models.dag import DagModel, DagTag

    rows = session.execute(
        select(DagModel.dag_id, DagModel.is_paused, DagTag.name)
        .join(DagTag, DagTag.dag_id == DagModel.dag_id)
        .where(DagModel.is_stale.is_(False))
    ).all()
    tags: dict[str, set[str]] = defaultdict(set)
    paused: dict[str, bool] = {}
    for dag_id, is_paused, tag in rows:
        tags[dag_id].add(tag)
        paused[dag_id] = bool(is_paused)
    dags = []
    for dag_id, names in tags.items():
        if not PROJECT_TAGS <= names:
            continue
        rest = sorted(names - PROJECT_TAGS)
        kind = RECONCILIATION if RECONCILIATION in rest else (rest[0] if rest else "")
        dags.append(ProjectDag(dag_id, kind, paused[dag_id]))
    return sorted(dags, key=lambda d: (d.kind == RECONCILIATION, d.kind, d.dag_id))


def latest_report(session: Session, dag_ids: Iterable[str]) -> ReportInfo | None:
    """The newest return value of a ``reconcile`` task among ``dag_ids``."""
    from airflow.models.dagrun import DagRun
    from airflow.models.xcom import XCOM_RETURN_KEY, XComModel

    dag_ids = list(dag_ids)
    if not dag_ids:
        return None
    row = session.scalars(
        select(XComModel)
        .where(XComModel.dag_id.in_(dag_ids), XComModel.task_id == REPORT_TASK, XComModel.key == XCOM_RETURN_KEY,
               XComModel.map_index == -1)
        .order_by(XComModel.timestamp.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    run_state = session.scalar(select(DagRun.state).where(DagRun.dag_id == row.dag_id, DagRun.run_id == row.run_id))
    return ReportInfo(dag_id=row.dag_id, run_id=row.run_id, written_at=row.timestamp, run_state=_state(run_state),
                      summary=XComModel.deserialize_value(row))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_queue(value: Any, flow: str) -> list[QueuedRecord]:
    """A retry queue Variable's entries (``RetryQueue.save``: a JSON list of ``FailedRecord``), oldest first.

    Raises ValueError when the value is not such a list.
    """
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError(f"expected a JSON list of records, found {type(value).__name__}")
    records = []
    for item in value:
        code = _text(item.get("code"))
        records.append(QueuedRecord(
            stripe_id=_text(item.get("stripe_id")), code=code, message=_text(item.get("message")),
            attempts=_text(item.get("attempts")), first_failed_at=_text(item.get("first_failed_at")),
            last_failed_at=_text(item.get("last_failed_at")), last_run_id=_text(item.get("last_run_id")),
            what_to_do=what_to_do(code),
        ))
    return records


def retry_queues(session: Session, dags: list[ProjectDag], access: Access) -> list[RetryQueueInfo]:
    from airflow.models.variable import Variable

    prefix = retry_queue_key("")
    variables = {v.key[len(prefix):]: v for v in session.scalars(
        select(Variable).where(Variable.key.startswith(prefix, autoescape=True)))}
    flow_dags = {d.kind: d.dag_id for d in dags if d.kind and d.kind != RECONCILIATION}
    queues = []
    for flow in sorted(set(flow_dags) | set(variables)):
        key = retry_queue_key(flow)
        variable = variables.get(flow)
        queue = RetryQueueInfo(flow=flow, key=key, dag_id=flow_dags.get(flow))
        queue.allowed = access.may_read_variable(key, getattr(variable, "team_name", None))
        if queue.allowed and variable is not None:
            try:
                queue.records = parse_queue(variable.val, flow)
            except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
                queue.problem = f"the Variable {key} does not hold a retry queue ({exc})"
        queues.append(queue)
    return queues


def _run(run: Any) -> RunInfo:
    return RunInfo(dag_id=run.dag_id, run_id=run.run_id, state=_state(run.state), run_after=run.run_after)


def run_statuses(session: Session, dags: list[ProjectDag]) -> list[DagStatus]:
    """Each DAG's newest run."""
    from airflow.models.dagrun import DagRun

    statuses = []
    for dag in dags:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag.dag_id).order_by(DagRun.run_after.desc()).limit(1)).first()
        statuses.append(DagStatus(dag, None if run is None else _run(run)))
    return statuses


def failed_runs(session: Session, dag_ids: list[str], task_dag_ids: set[str],
                limit: int = FAILED_RUNS_SHOWN) -> list[RunInfo]:
    """The newest failed runs of ``dag_ids``; their failed tasks for the DAGs in ``task_dag_ids``."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.state import DagRunState, TaskInstanceState

    if not dag_ids:
        return []
    runs = [_run(run) for run in session.scalars(
        select(DagRun).where(DagRun.dag_id.in_(dag_ids), DagRun.state == DagRunState.FAILED)
        .order_by(DagRun.run_after.desc()).limit(limit))]
    with_tasks = [run for run in runs if run.dag_id in task_dag_ids]
    if with_tasks:
        failed: dict[tuple[str, str], list[str]] = defaultdict(list)
        for dag_id, run_id, task_id in session.execute(
            select(TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.task_id)
            .where(TaskInstance.state == TaskInstanceState.FAILED,
                   or_(*(and_(TaskInstance.dag_id == r.dag_id, TaskInstance.run_id == r.run_id) for r in with_tasks)))
            .order_by(TaskInstance.task_id)
        ):
            if task_id not in failed[dag_id, run_id]:
                failed[dag_id, run_id].append(task_id)
        for run in with_tasks:
            run.failed_tasks = failed.get((run.dag_id, run.run_id), [])
    return runs


def collect(session: Session, access: Access, *, user: str, dags: list[ProjectDag] | None = None,
            now: dt.datetime | None = None) -> PageData:
    """Everything the page shows that ``access`` allows."""
    dags = project_dags(session) if dags is None else dags
    data = PageData(generated_at=now or dt.datetime.now(dt.timezone.utc), user=user, dags=dags)

    reconciliation = [d.dag_id for d in dags if d.kind == RECONCILIATION]
    readable_reports = [dag_id for dag_id in reconciliation if access.may_read_dag(dag_id, "XCOM")]
    data.report_allowed = bool(readable_reports) or not reconciliation
    data.report = latest_report(session, readable_reports)

    data.queues = retry_queues(session, dags, access)

    with_runs = [d for d in dags if access.may_read_dag(d.dag_id, "RUN")]
    data.runs_allowed = bool(with_runs) or not dags
    data.statuses = run_statuses(session, with_runs)
    task_dags = {d.dag_id for d in with_runs if access.may_read_dag(d.dag_id, "TASK_INSTANCE")}
    data.failed_runs = failed_runs(session, [d.dag_id for d in with_runs], task_dags)
    return data

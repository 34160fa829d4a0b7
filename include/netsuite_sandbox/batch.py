"""REST batch operations: asynchronous add/upsert of up to 100 records of one type.

Contract (netsuite.md §4.2):

* ``PUT /services/rest/record/v1/{type}`` = batch upsert; ``POST`` (same headers) = batch add.
  Headers ``Prefer: respond-async``, ``Content-Type: application/vnd.oracle.resource+json;
  type=collection``, optional ``X-NetSuite-Idempotency-Key``. Body ``{"items": [{...}, ...]}``,
  1..100 objects; an upsert item needs ``externalId``. Otherwise 400 (``INVALID_HEADER``,
  ``INVALID_CONTENT``).
* Answer ``202`` with ``Location: <base>/services/rest/async/v1/job/<jobId>``. The same
  idempotency key again -> ``400 IDEMPOTENCY_ERROR`` whose detail names the earlier job's URL.
* The job runs on a background thread, items in request order, each exactly like a single
  upsert (``PUT .../eid:X``) or create (``POST``): partial success is normal. A batch upsert
  may carry the ``replace`` query parameter (``PUT .../record/v1/invoice?replace=item``; Oracle's
  batch pages do not mention it): checked when the job is submitted (unknown sublist -> 400
  ``INVALID_PARAMETER``, no job) and applied to every item that updates an existing record, as
  on a single upsert; without it sent sublists merge into the stored lines. Batch add ignores it.
* ``GET /services/rest/async/v1/job/<jobId>`` -> ``{"links", "id", "completed", "progress"}``
  (progress ``pending`` | ``running`` | ``succeeded`` | ``failed``: ``succeeded`` once every item
  has been processed, whatever each item's outcome; ``failed`` only if the sandbox could not run
  the job). ``GET .../job/<jobId>/task`` -> ``{"items": [{"id": "<taskId>", "links"}]}`` (one
  task per job); ``GET .../task/<taskId>`` the task's state; ``GET .../task/<taskId>/result`` ->
  ``{"items": [...]}`` in request order: ``{"externalId", "status": 204, "id": "<internal id>"}``
  or ``{"externalId", "status": 4xx, "o:errorDetails": [...]}``.
* Jobs and results are stored in the SQLite file; an unfinished job resumes after a restart
  (items already answered are not redone). The per-record latency (``record_latency_ms``)
  applies to each item. A job does not hold an account concurrency slot (NetSuite runs them on
  its REST async processors); the submitting request does.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
import traceback
from typing import Any

from sandbox_kit import Request, Response

from netsuite_sandbox import errors, jsonio
from netsuite_sandbox.db import Database, iso, utc_now
from netsuite_sandbox.records import RecordStore

ASYNC = "/services/rest/async/v1"
COLLECTION = "type=collection"
MAX_ITEMS = 100
TASK_ID = "1"


def _base(request: Request) -> str:
    from netsuite_sandbox.rest import base_url

    return base_url(request)


class BatchJobs:
    def __init__(self, db: Database, store: RecordStore, *, record_latency_ms: int = 0) -> None:
        self.db = db
        self.store = store
        self.record_latency_ms = record_latency_ms
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._busy = 0
        self._thread = threading.Thread(target=self._work, name="netsuite-batch", daemon=True)
        self._thread.start()
        with db.transaction() as conn:
            unfinished = conn.execute(
                "SELECT id FROM async_job WHERE state IN ('pending', 'running') ORDER BY id").fetchall()
        for row in unfinished:
            self._enqueue(row["id"])

    # --- HTTP ------------------------------------------------------------------------------
    def routes(self) -> list[tuple[str, str, Any]]:
        job = rf"{ASYNC}/job/(?P<job>[0-9]+)"
        return [
            ("GET", job, self.get_job),
            ("GET", f"{job}/task/?", self.get_tasks),
            ("GET", f"{job}/task/(?P<task>[^/]+)", self.get_task),
            ("GET", f"{job}/task/(?P<task>[^/]+)/result", self.get_result),
        ]

    @staticmethod
    def is_batch(request: Request) -> bool:
        return COLLECTION in (request.header("content-type") or "").replace(" ", "").lower()

    def submit(
        self, request: Request, record_type: str, operation: str, lenient: bool, *, replace: frozenset[str] = frozenset()
    ) -> Response:
        prefer = [p.strip().lower() for p in (request.header("prefer") or "").split(",")]
        if "respond-async" not in prefer:
            raise errors.invalid_header(
                "Prefer", "Batch operations run asynchronously: send the header 'Prefer: respond-async'.")
        if not self.is_batch(request):
            raise errors.invalid_header(
                "Content-Type", "A batch body needs 'Content-Type: application/vnd.oracle.resource+json; type=collection'.")
        body = jsonio.loads(request.body)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS or not all(isinstance(i, dict) for i in items):
            raise errors.invalid_content(
                f'A batch body is {{"items": [...]}} with 1 to {MAX_ITEMS} record objects'
                f"{'' if not isinstance(items, list) else f' (got {len(items)})'}.")
        rtype = self.store.record_type(record_type)
        key = request.header("x-netsuite-idempotency-key")
        base = _base(request)
        with self.db.transaction() as conn:
            if key:
                earlier = conn.execute("SELECT id FROM async_job WHERE idempotency_key = ?", (key,)).fetchone()
                if earlier:
                    raise errors.NetSuiteError(
                        400, "IDEMPOTENCY_ERROR",
                        f"A request with the idempotency key '{key}' was already submitted. Its job is at "
                        f"{base}{ASYNC}/job/{earlier['id']}.",
                        header="X-NetSuite-Idempotency-Key")
            cursor = conn.execute(
                "INSERT INTO async_job (record_type, operation, idempotency_key, items, lenient, state, created,"
                " replace_sublists) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                (rtype.name, operation, key or None, jsonio.dumps(items).decode(), int(lenient), iso(utc_now()),
                 ",".join(sorted(replace))))
            job_id = cursor.lastrowid
        self._enqueue(job_id)
        return Response(202, b"", {"Location": f"{base}{ASYNC}/job/{job_id}", "Preference-Applied": "respond-async"})

    def _job(self, request: Request):
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM async_job WHERE id = ?", (int(request.path_params["job"]),)).fetchone()
        if row is None:
            raise errors.nonexistent_id()
        return row

    @staticmethod
    def _state(row) -> dict[str, Any]:
        state = row["state"]
        return {"completed": state in ("succeeded", "failed"), "progress": state}

    def get_job(self, request: Request) -> Response:
        row = self._job(request)
        href = f"{_base(request)}{ASYNC}/job/{row['id']}"
        return jsonio.response({
            "links": [{"rel": "self", "href": href}, {"rel": "related", "href": f"{href}/task"}],
            "id": str(row["id"]), **self._state(row),
            "createdTime": row["created"], **({"completedTime": row["completed"]} if row["completed"] else {}),
        })

    def get_tasks(self, request: Request) -> Response:
        row = self._job(request)
        href = f"{_base(request)}{ASYNC}/job/{row['id']}/task"
        return jsonio.response({
            "links": [{"rel": "self", "href": href}], "count": 1, "hasMore": False, "offset": 0, "totalResults": 1,
            "items": [{"links": [{"rel": "self", "href": f"{href}/{TASK_ID}"}], "id": TASK_ID}],
        })

    def _task(self, request: Request):
        row = self._job(request)
        if request.path_params["task"] != TASK_ID:
            raise errors.nonexistent_id()
        return row

    def get_task(self, request: Request) -> Response:
        row = self._task(request)
        href = f"{_base(request)}{ASYNC}/job/{row['id']}/task/{TASK_ID}"
        return jsonio.response({"links": [{"rel": "self", "href": href}, {"rel": "related", "href": f"{href}/result"}],
                                "id": TASK_ID, **self._state(row)})

    def get_result(self, request: Request) -> Response:
        row = self._task(request)
        with self.db.transaction() as conn:
            results = conn.execute(
                "SELECT * FROM async_result WHERE job_id = ? ORDER BY position", (row["id"],)).fetchall()
        items = []
        for r in results:
            item: dict[str, Any] = {"externalId": r["external_id"], "status": r["status"]}
            if r["internal_id"] is not None:
                item["id"] = r["internal_id"]
            if r["error"]:
                item["o:errorDetails"] = json.loads(r["error"])
            items.append(item)
        href = f"{_base(request)}{ASYNC}/job/{row['id']}/task/{TASK_ID}/result"
        return jsonio.response({"links": [{"rel": "self", "href": href}], "count": len(items), "hasMore": False,
                                "offset": 0, "totalResults": len(items), "items": items})

    # --- the worker ------------------------------------------------------------------------
    def _enqueue(self, job_id: int) -> None:
        with self._idle:
            self._busy += 1
        self._queue.put(job_id)

    def _work(self) -> None:
        while not self._stop.is_set():
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self._run(job_id)
            except Exception:  # a sandbox bug: the job fails visibly, the worker lives on
                traceback.print_exc(file=sys.stderr)
                try:
                    self._finish(job_id, "failed")
                except Exception:
                    pass
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _run(self, job_id: int) -> None:
        with self.db.transaction() as conn:
            job = conn.execute("SELECT * FROM async_job WHERE id = ?", (job_id,)).fetchone()
            done = {r["position"] for r in conn.execute("SELECT position FROM async_result WHERE job_id = ?", (job_id,))}
            conn.execute("UPDATE async_job SET state = 'running' WHERE id = ?", (job_id,))
        items = json.loads(job["items"])
        for position, item in enumerate(items):
            if self._stop.is_set():
                return
            if position in done:
                continue
            if self.record_latency_ms:
                time.sleep(self.record_latency_ms / 1000)
            replace = [name for name in (job["replace_sublists"] or "").split(",") if name]
            self._record(job_id, position, *self._one(
                job["record_type"], job["operation"], item, bool(job["lenient"]), replace))
        self._finish(job_id, "succeeded")

    def _one(self, record_type: str, operation: str, item: dict[str, Any], lenient: bool, replace: list[str]):
        body = jsonio.loads(jsonio.dumps(item))  # numbers back to Decimal
        external_id = body.get("externalId")
        try:
            if operation == "upsert":
                if not external_id:
                    raise errors.NetSuiteError(
                        400, "INVALID_ID", "An upsert in a batch needs the record's externalId.", path="externalId")
                body.pop("externalId")
                record, _ = self.store.upsert(
                    record_type, str(external_id), body, lenient_names=lenient, replace=replace)
            else:
                record = self.store.create(record_type, body, lenient_names=lenient)
            return external_id, 204, str(record.id), None
        except errors.NetSuiteError as exc:
            return external_id, exc.status, None, exc.body()["o:errorDetails"]
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            err = errors.unexpected(f"Sandbox internal error: {exc!r}")
            return external_id, 500, None, err.body()["o:errorDetails"]

    def _record(self, job_id, position, external_id, status, internal_id, error) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO async_result (job_id, position, external_id, status, internal_id, error)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (job_id, position, None if external_id is None else str(external_id), status, internal_id,
                 json.dumps(error) if error else None))

    def _finish(self, job_id: int, state: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE async_job SET state = ?, completed = ? WHERE id = ?", (state, iso(utc_now()), job_id))

    # --- helpers -----------------------------------------------------------------------------
    def wait_idle(self, timeout: float = 30) -> bool:
        """Block until every submitted job has finished (tests)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def close(self) -> None:
        self._stop.set()
        self._queue.put(None)
        self._thread.join(timeout=5)

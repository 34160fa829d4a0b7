"""The page's HTML, from ``data.PageData``: a summary first, then one table per section.

Every value from Airflow's DB (report lines, Stripe IDs, error messages, run IDs, DAG IDs) goes through
``esc`` (``html.escape`` with quotes) and every URL is built from ``quote``d path segments, so nothing
Stripe, NetSuite or a user wrote can become markup. The response's Content-Security-Policy (``app.py``)
allows only the page's own style and its one nonce'd script besides.

Links to Airflow's run and task pages are absolute paths under Airflow's base path. Airflow's UI shows the
page in a sandboxed iframe that may not navigate the top window itself; the script opens such links in the
top window through a link of the top window's own (the page and the UI share an origin). Opened on its
own, the page's links work as plain links.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from stripe_netsuite.ui import PAGE_NAME
from stripe_netsuite.ui.data import RECONCILIATION, PageData, QueuedRecord, ReportInfo, RetryQueueInfo, RunInfo

# Summary keys that are not a section's counts.
_REPORT_KEYS = {"ok", "problem_count", "problems", "settling"}
SECTION_TITLES = {
    "customers": "Customers",
    "invoices": "Invoices and credit memos",
    "payments": "Payments",
    "refunds": "Refunds",
    "disputes": "Disputes",
    "refunds_disputes": "Refunds and disputes",
    "payouts": "Payouts",
}
FILE_TITLES = {"html_report": "Full report (HTML)", "csv_dir": "Report tables (CSV)"}
COUNT_TITLES = {"stripe": "Stripe", "netsuite": "NetSuite", "matched": "Matched"}
# The section a difference belongs to, by the Stripe ID it starts with.
PREFIX_SECTIONS = (
    ("cus_", "customers"), ("in_", "invoices"), ("cn_", "invoices"), ("ch_", "payments"), ("py_", "payments"),
    ("re_", "refunds"), ("dp_", "disputes"), ("du_", "disputes"), ("po_", "payouts"),
)
OTHER = "other"
FLOW_TITLES = {"customers": "Customers", "invoices": "Invoices", "payments": "Payments",
               "refunds_disputes": "Refunds and disputes", "payouts": "Payouts"}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def title_of(key: str, titles: Mapping[str, str] = SECTION_TITLES) -> str:
    return titles.get(key) or key.replace("_", " ").capitalize()


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def when_text(text: str) -> str:
    """An ISO timestamp (as the retry queue stores them) as ``when`` shows times; any other text as it is."""
    try:
        return when(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


@dataclass(frozen=True)
class Links:
    """Airflow UI URLs under ``base`` (Airflow's base path, e.g. '' or '/airflow')."""

    base: str = ""

    def dag(self, dag_id: str) -> str:
        return f"{self.base}/dags/{quote(dag_id, safe='')}"

    def run(self, dag_id: str, run_id: str) -> str:
        return f"{self.dag(dag_id)}/runs/{quote(run_id, safe='')}"

    def task(self, dag_id: str, run_id: str, task_id: str) -> str:
        return f"{self.run(dag_id, run_id)}/tasks/{quote(task_id, safe='')}"


def link(url: str, text: Any, **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{esc(value)}"' for name, value in attrs.items())
    return f'<a href="{esc(url)}" data-airflow-link{extra}>{esc(text)}</a>'


def state_badge(state: str | None) -> str:
    state = state or "none"
    return f'<span class="state state-{esc(state.replace(" ", "_"))}">{esc(state)}</span>'


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], *, label: str, css: str = "") -> str:
    """``rows`` hold cells already escaped (markup)."""
    head = "".join(f"<th scope=\"col\">{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    css_attr = f' class="{esc(css)}"' if css else ""
    return f'<table aria-label="{esc(label)}"{css_attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# --------------------------------------------------------------------------------------------- problems


def split_problem(line: str) -> tuple[str, str, str]:
    """``'<Stripe ID>: <what differs> -> <what to do>'`` -> its three parts; a line of another shape is all
    'what differs'."""
    stripe_id, sep, rest = line.partition(": ")
    if not sep or not stripe_id or " " in stripe_id:
        return "", line, ""
    what, _, todo = rest.partition(" -> ")
    return stripe_id, what, todo


def section_of(stripe_id: str) -> str:
    return next((section for prefix, section in PREFIX_SECTIONS if stripe_id.startswith(prefix)), OTHER)


def grouped_problems(problems: Iterable[Any]) -> dict[str, list[tuple[str, str, str]]]:
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for line in problems:
        parts = split_problem(str(line))
        groups.setdefault(section_of(parts[0]), []).append(parts)
    order = [s for _, s in PREFIX_SECTIONS] + [OTHER]
    return dict(sorted(groups.items(), key=lambda item: order.index(item[0])))


# --------------------------------------------------------------------------------------------- sections


def _count(summary: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = summary.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def report_status(report: ReportInfo | None) -> tuple[str, str]:
    """(css class, text) of the summary's reconciliation card."""
    if report is None:
        return "neutral", "No reconciliation report yet"
    summary = report.summary
    if not isinstance(summary, Mapping):
        return "bad", "The latest report cannot be read"
    problems = _count(summary, "problem_count", len(summary.get("problems") or []))
    if summary.get("ok") and not problems:
        return "good", "Stripe and NetSuite agree"
    return "bad", f"{problems} difference{'' if problems == 1 else 's'} between Stripe and NetSuite"


def summary_section(data: PageData, links: Links) -> str:
    cards = []
    if data.report_allowed:
        css, text = report_status(data.report)
        detail = ""
        if data.report is not None:
            detail = (f"<br><small>{link(links.run(data.report.dag_id, data.report.run_id), 'reconciliation run')}"
                      f" of {esc(when(data.report.written_at))}</small>")
        cards.append((css, f'<a href="#report" class="jump">Reconciliation</a>: {esc(text)}{detail}'))
    readable = [q for q in data.queues if q.allowed]
    if readable:
        waiting = sum(len(q.records) for q in readable)
        per_flow = ", ".join(f"{esc(title_of(q.flow, FLOW_TITLES))} {len(q.records)}" for q in readable if q.records)
        cards.append(("bad" if waiting else "good",
                      f'<a href="#queues" class="jump">Waiting to load</a>: {waiting} record{"" if waiting == 1 else "s"}'
                      + (f" ({per_flow})" if per_flow else "")))
    if data.runs_allowed:
        red = [s for s in data.statuses if s.latest is not None and s.latest.state == "failed"]
        text = (f"{len(red)} DAG{'' if len(red) == 1 else 's'} whose latest run failed: "
                + ", ".join(esc(s.dag.dag_id) for s in red)) if red else "no DAG's latest run failed"
        cards.append(("bad" if red else "good", f'<a href="#runs" class="jump">Runs</a>: {text}'))
    items = "".join(f'<li class="card {css}">{body}</li>' for css, body in cards)
    return (f'<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
            f'<ul class="cards">{items}</ul></section>')


def _counts_rows(summary: Mapping[str, Any]) -> tuple[list[list[str]], list[str]]:
    rows, off = [], []
    for key, value in summary.items():
        if key in _REPORT_KEYS or key in FILE_TITLES:
            continue
        if value is None:
            off.append(title_of(key))
        elif isinstance(value, Mapping):
            others = ", ".join(f"{esc(k.replace('_', ' '))} {esc(v)}" for k, v in value.items() if k not in COUNT_TITLES)
            rows.append([esc(title_of(key))] + [esc(value.get(k, "")) for k in COUNT_TITLES] + [others])
    return rows, off


def _files(summary: Mapping[str, Any]) -> str:
    """The report's files (another task may add ``html_report`` / ``csv_dir``): a link when it is an http(s) URL,
    else where it lies (a path on the worker, which the browser cannot open)."""
    items = []
    for key, value in summary.items():
        if key in _REPORT_KEYS or value is None or isinstance(value, (Mapping, list)):
            continue
        if key not in FILE_TITLES and not isinstance(value, str):
            continue
        text = str(value)
        if urlsplit(text).scheme in ("http", "https"):
            shown = f'<a href="{esc(text)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'
        else:
            shown = f"<code>{esc(text)}</code>"
        items.append(f"<li>{esc(title_of(key, FILE_TITLES))}: {shown}</li>")
    return f'<ul class="files">{"".join(items)}</ul>' if items else ""


def report_section(data: PageData, links: Links) -> str:
    head = '<section id="report" aria-labelledby="report-h"><h2 id="report-h">Latest reconciliation</h2>'
    report = data.report
    if not data.report_allowed:
        return head + ('<p class="empty">Your Airflow role may not read the reconciliation DAG\'s results '
                       "(its XComs); ask an Airflow admin for access.</p></section>")
    if report is None:
        return head + ('<p class="empty">No reconciliation report yet: the reconciliation DAG has not finished a '
                       "run (it runs daily; trigger it to compare now).</p></section>")
    css, status = report_status(report)
    parts = [head, f'<p class="status {css}">{esc(status)}. Run {link(links.run(report.dag_id, report.run_id), report.run_id)} '
                   f"({state_badge(report.run_state)}), written {esc(when(report.written_at))}.</p>"]
    summary = report.summary
    if not isinstance(summary, Mapping):
        parts.append(f'<p class="empty">The reconcile task returned a {esc(type(summary).__name__)}, not a report '
                     f"summary: read its log.</p></section>")
        return "".join(parts)
    rows, off = _counts_rows(summary)
    if rows:
        parts.append("<h3>Counts</h3>")
        parts.append(table(["Section", *COUNT_TITLES.values(), "Also"], rows, label="Counts per section"))
    if off:
        parts.append(f'<p class="note">Not compared (flow switched off in the settings): {esc(", ".join(off))}.</p>')
    settling = _count(summary, "settling")
    if settling:
        parts.append(f'<p class="note">{settling} Stripe object{"" if settling == 1 else "s"} changed too recently '
                     "to compare (the hourly flows may not have carried the change yet): compared on the next run.</p>")
    parts.append(_files(summary))
    problems = list(summary.get("problems") or [])
    total = _count(summary, "problem_count", len(problems))
    parts.append("<h3>Differences</h3>")
    if not problems:
        parts.append('<p class="empty">None: every compared record matches.</p>' if not total else
                     f'<p class="empty">{total} differences, listed in the reconcile task\'s log: '
                     f"{link(links.task(report.dag_id, report.run_id, 'reconcile'), 'open it')}.</p>")
    for section, lines in grouped_problems(problems).items():
        title = "Other differences" if section == OTHER else title_of(section)
        parts.append(f"<h4>{esc(title)} ({len(lines)})</h4>")
        parts.append(table(["Stripe ID", "What differs", "What to do"],
                           ([f"<code>{esc(i)}</code>", esc(w), esc(t)] for i, w, t in lines),
                           label=f"Differences: {title}", css="problems"))
    if total > len(problems):
        parts.append(f'<p class="note">… and {total - len(problems)} more in the reconcile task\'s log: '
                     f"{link(links.task(report.dag_id, report.run_id, 'reconcile'), 'open it')}.</p>")
    parts.append('<p class="help">Stripe is the source. To write a record again from Stripe, trigger the flow DAG '
                 "a line names with that Stripe ID in <em>Only these Stripe IDs</em> and <em>Rewrite even if "
                 "unchanged</em> ticked; if NetSuite's value is the right one, change it in Stripe instead. Then "
                 "clear the reconciliation run's red <code>check_report</code> task: it compares again.</p>")
    parts.append("</section>")
    return "".join(parts)


def _queue_row(record: QueuedRecord) -> list[str]:
    failed = esc(when_text(record.first_failed_at))
    if record.last_failed_at and record.last_failed_at != record.first_failed_at:
        failed += f"<br><small>last {esc(when_text(record.last_failed_at))}</small>"
    return [f"<code>{esc(record.stripe_id)}</code>", f"<code>{esc(record.code)}</code>", esc(record.message),
            esc(record.attempts), failed, esc(record.what_to_do)]


def queue_block(queue: RetryQueueInfo, links: Links) -> str:
    title = title_of(queue.flow, FLOW_TITLES)
    dag = f" · {link(links.dag(queue.dag_id), queue.dag_id)}" if queue.dag_id else ""
    head = (f'<div class="queue" id="queue-{esc(queue.flow)}"><h3>{esc(title)} '
            f'<small>({len(queue.records) if queue.allowed else "?"}){dag}</small></h3>')
    if not queue.allowed:
        body = (f'<p class="empty">Your Airflow role may not read the Variable <code>{esc(queue.key)}</code> that '
                "holds this queue; ask an Airflow admin for read access to Variables.</p>")
    elif queue.problem:
        body = f'<p class="empty bad">{esc(queue.problem)}.</p>'
    elif not queue.records:
        body = '<p class="empty">Nothing waiting.</p>'
    else:
        body = table(["Stripe ID", "Code", "Message", "Attempts", "Failed since", "What to do"],
                     (_queue_row(r) for r in queue.records), label=f"Retry queue: {title}", css="queue-table")
    return head + body + "</div>"


def queues_section(data: PageData, links: Links) -> str:
    head = ('<section id="queues" aria-labelledby="queues-h"><h2 id="queues-h">Waiting to load (retry queues)</h2>'
            '<p class="help">Records NetSuite (or the mapping) refused. Every run of the flow tries them again; a record '
            "leaves its queue when it loads. Fix what <em>What to do</em> says, then wait for the next run or trigger "
            "one.</p>")
    if not data.queues:
        return head + '<p class="empty">No flow DAG and no retry queue found.</p></section>'
    return head + "".join(queue_block(q, links) for q in data.queues) + "</section>"


def _run_cell(run: RunInfo, links: Links) -> str:
    return link(links.run(run.dag_id, run.run_id), run.run_id)


def runs_section(data: PageData, links: Links) -> str:
    parts = ['<section id="runs" aria-labelledby="runs-h"><h2 id="runs-h">Runs</h2>']
    if not data.runs_allowed:
        parts.append('<p class="empty">Your Airflow role may not read the runs of these DAGs.</p></section>')
        return "".join(parts)
    if data.statuses:
        rows = []
        for status in data.statuses:
            kind = "Reconciliation" if status.dag.kind == RECONCILIATION else title_of(status.dag.kind, FLOW_TITLES)
            latest = status.latest
            rows.append([esc(kind), link(links.dag(status.dag.dag_id), status.dag.dag_id)
                         + (' <small class="paused">paused</small>' if status.dag.is_paused else ""),
                         state_badge(latest.state) if latest else '<span class="empty">no run yet</span>',
                         _run_cell(latest, links) if latest else "", esc(when(latest.run_after)) if latest else ""])
        parts.append("<h3>Latest run of each DAG</h3>")
        parts.append(table(["Flow", "DAG", "State", "Run", "Run after"], rows, label="Latest run of each DAG"))
    parts.append("<h3>Failed runs</h3>")
    if not data.failed_runs:
        parts.append('<p class="empty">No failed run.</p>')
    else:
        rows = []
        for run in data.failed_runs:
            if run.failed_tasks is None:
                tasks = '<span class="empty">(your role may not read task instances)</span>'
            else:
                tasks = ", ".join(link(links.task(run.dag_id, run.run_id, t), t) for t in run.failed_tasks) or "—"
            rows.append([link(links.dag(run.dag_id), run.dag_id), _run_cell(run, links), esc(when(run.run_after)),
                         tasks])
        parts.append(table(["DAG", "Run", "Run after", "Failed tasks (open for the log)"], rows, label="Failed runs",
                           css="failed-runs"))
        parts.append('<p class="help">A red <code>check_failed_records</code> task lists the records its run could not '
                     "load, with what to do; a red <code>check_report</code> lists the differences above.</p>")
    parts.append("</section>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------- page

STYLE = """
:root { color-scheme: light; --bad: #b42318; --good: #067647; --muted: #555; --line: #d0d5dd; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 16px 24px; color: #111; }
h1 { font-size: 22px; margin: 0 0 2px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 14px; margin: 14px 0 4px; }
.meta, small, .note, .help { color: var(--muted); } .help { font-size: 13px; max-width: 70em; }
.cards { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 10px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 6px; padding: 8px 12px; min-width: 16em; }
.card.good, .status.good { border-left-color: var(--good); } .card.bad, .status.bad { border-left-color: var(--bad); }
.status { border-left: 5px solid var(--muted); padding-left: 8px; } .bad { color: var(--bad); }
table { border-collapse: collapse; margin: 4px 0 10px; } th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; } td code { white-space: nowrap; } .empty { color: var(--muted); font-style: italic; }
.state { border-radius: 10px; padding: 0 8px; background: #eaecf0; } .state-failed { background: #fee4e2; color: var(--bad); }
.state-success { background: #dcfae6; color: var(--good); } .state-running, .state-queued { background: #e0f2fe; }
.paused { border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
"""

# Opens Airflow links in the top window when the page is inside Airflow's (sandboxed) iframe.
SCRIPT = """
document.addEventListener("click", function (event) {
  var anchor = event.target.closest ? event.target.closest("a[data-airflow-link]") : null;
  if (!anchor || window.top === window || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || event.altKey) { return; }
  try {
    var top = window.top.document, opener = top.createElement("a");
    opener.href = anchor.href;
    opener.style.display = "none";
    top.body.appendChild(opener);
    opener.click();
    opener.remove();
    event.preventDefault();
  } catch (error) { /* another origin: the link opens in the frame */ }
});
"""


def render_page(data: PageData, links: Links, *, nonce: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(PAGE_NAME)}</title><style nonce=\"{esc(nonce)}\">{STYLE}</style></head><body>"
        f"<header><h1>{esc(PAGE_NAME)}</h1><p class=\"meta\">As of {esc(when(data.generated_at))} · signed in as "
        f"{esc(data.user)} · times in UTC</p></header><main>"
        + summary_section(data, links) + report_section(data, links) + queues_section(data, links)
        + runs_section(data, links)
        + f'</main><script nonce="{esc(nonce)}">{SCRIPT}</script></body></html>'
    )


def render_refusal(status: int, detail: str, home: str) -> str:
    """The page a browser gets without a valid login (401) or without the permission (403)."""
    if status == 401:
        title, text = "Sign in to Airflow first", "This page is shown only to users signed in to Airflow."
    else:
        title, text = "Not allowed", "Your Airflow role may not read the stripe-netsuite DAGs' runs."
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title></head><body>'
        f"<h1>{esc(title)}</h1><p>{esc(text)} ({esc(status)}: {esc(detail)})</p>"
        f'<p><a href="{esc(home)}">Open Airflow</a></p></body></html>'
    )

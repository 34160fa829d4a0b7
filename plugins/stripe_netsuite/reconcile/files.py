"""The reconciliation report as files: one HTML page for a browser and one CSV file per section for spreadsheets.

The reconcile task writes them to ``$STRIPE_NETSUITE_REPORTS_DIR/<run_id>/`` (default
``$AIRFLOW_HOME/stripe_netsuite_reports/<run_id>/``): ``report.html`` and ``csv/<section>.csv``. The page opens
with a summary (one row per section: counts, differences, OK or MISMATCH), then one table per section, one row
per difference: the Stripe ID, the NetSuite record(s) it names, what differs, what to do. Every value is
HTML-escaped. The files hold only what the report's lines hold (IDs, amounts, dates, account names): never a
connection's credentials.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stripe_netsuite.reconcile.report import ReconciliationReport

REPORTS_DIR_ENV = "STRIPE_NETSUITE_REPORTS_DIR"
DEFAULT_SUBDIR = "stripe_netsuite_reports"  # under $AIRFLOW_HOME
COLUMNS = ("Stripe ID", "NetSuite record", "What differs", "What to do")
_INTERNAL = re.compile(r"internal IDs? [0-9]+(?:, [0-9]+)*")
_DEPOSIT = re.compile(r"deposit (po_[A-Za-z0-9]+(?:-[0-9]+)?)")


def reports_root() -> Path:
    """Where report directories go: $STRIPE_NETSUITE_REPORTS_DIR, else $AIRFLOW_HOME/stripe_netsuite_reports."""
    configured = os.environ.get(REPORTS_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow") / DEFAULT_SUBDIR


def run_directory(run_id: str, root: Path | None = None) -> Path:
    """The directory of one run's files (the run ID made safe for a file name)."""
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", run_id or "run").strip(".") or "run"
    return (root or reports_root()) / safe


@dataclass
class Section:
    key: str  # the CSV file's name
    title: str
    ok: bool
    counts: str
    notes: list[str]  # the section's other lines (totals, information)
    rows: list[tuple[str, str, str, str]]  # COLUMNS


def split_problem(problem: str) -> tuple[str, str, str, str]:
    """'<Stripe ID>: <what differs> -> <what to do>' -> the four columns (the NetSuite records the text names)."""
    stripe_id, _, rest = problem.partition(": ")
    what, _, remedy = rest.partition(" -> ")
    named = _INTERNAL.findall(what) + [f"deposit {x}" for x in _DEPOSIT.findall(what)]
    if not named:
        named = [f"none under external ID {stripe_id}" if "missing in NetSuite" in what
                 else f"external ID {stripe_id}"]
    return stripe_id, "; ".join(dict.fromkeys(named)), what, remedy


def sections(report: ReconciliationReport) -> list[Section]:
    out: list[Section] = []

    def add(key: str, title: str, part: Any, problems: list[str], counts: str) -> None:
        lines = [x.strip() for x in part.lines()]
        said = set(problems)
        out.append(Section(key, title, not problems, counts, [x for x in lines[1:] if x not in said],
                           [split_problem(p) for p in problems]))

    c = report.customers
    add("customers", "Customers", c, c.problems(), f"Stripe {c.stripe_count}, NetSuite {c.netsuite_count}, "
                                                    f"matched {c.matched}")
    if report.invoices is not None:
        i = report.invoices
        add("invoices", "Invoices and credit memos", i, list(i.problems),
            f"Stripe {i.stripe_invoices}, NetSuite {i.netsuite_invoices}, matched {i.matched}")
    if report.payments is not None:
        p = report.payments
        add("payments", "Payments", p, list(p.problems),
            f"Stripe {p.stripe_payments}, NetSuite {p.netsuite_payments}, matched {p.matched}")
    if report.refunds is not None:
        r = report.refunds
        add("refunds", "Refunds and disputes", r, list(r.problems),
            f"refunds Stripe {r.stripe_refunds}, NetSuite {r.netsuite_refunds}, matched {r.refunds_matched}; "
            f"disputes Stripe {r.stripe_disputes}, NetSuite {r.netsuite_disputes}, matched {r.disputes_matched}")
    if report.payouts is not None:
        o = report.payouts
        add("payouts", "Payouts, deposits, Undeposited Funds and fees", o, list(o.problems),
            f"Stripe {o.stripe_payouts} paid, NetSuite {o.netsuite_deposits} deposit(s), matched {o.matched}")
    return out


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render_html(report: ReconciliationReport, *, title: str = "Stripe ↔ NetSuite reconciliation",
                generated: str | None = None) -> str:
    parts = sections(report)
    count = sum(len(s.rows) for s in parts)
    when = generated or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    verdict = ("Stripe and NetSuite agree." if report.ok else
               f"{count} difference(s) between Stripe and NetSuite. Stripe is the source: each row says what to do.")
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{_e(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em;width:100%}"
        "th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left;vertical-align:top}"
        "th{background:#f3f3f3}.ok{color:#1a7f37}.bad{color:#b42318;font-weight:bold}"
        "td.id{font-family:monospace;white-space:nowrap}</style>",
        "</head>", "<body>", f"<h1>{_e(title)}</h1>", f"<p>Generated {_e(when)}.</p>",
        f'<p class="{"ok" if report.ok else "bad"}">{_e(verdict)}</p>',
        '<h2 id="summary">Summary</h2>',
        "<table><thead><tr><th>Section</th><th>Counts</th><th>Differences</th><th>Status</th></tr></thead><tbody>",
    ]
    for s in parts:
        status = '<span class="ok">OK</span>' if s.ok else '<span class="bad">MISMATCH</span>'
        out.append(f'<tr><td><a href="#{_e(s.key)}">{_e(s.title)}</a></td><td>{_e(s.counts)}</td>'
                   f"<td>{len(s.rows)}</td><td>{status}</td></tr>")
    out.append("</tbody></table>")
    other = list(report.notes)
    if report.settling:
        other.append(f"changed in Stripe in the last {report.settle_seconds // 60} min, compared on the next run: "
                     f"{len(report.settling)} ({', '.join(report.settling[:10])}"
                     f"{', ...' if len(report.settling) > 10 else ''})")
    if other:
        out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in other) + "</ul>")
    for s in parts:
        out.append(f'<h2 id="{_e(s.key)}">{_e(s.title)}</h2>')
        out.append(f"<p>{_e(s.counts)}</p>")
        if s.notes:
            out.append("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in s.notes) + "</ul>")
        out.append("<table><thead><tr>" + "".join(f"<th>{_e(c)}</th>" for c in COLUMNS) + "</tr></thead><tbody>")
        if not s.rows:
            out.append(f'<tr><td colspan="{len(COLUMNS)}" class="ok">No differences.</td></tr>')
        for row in s.rows:
            out.append('<tr><td class="id">' + "</td><td>".join(_e(x) for x in row) + "</td></tr>")
        out.append("</tbody></table>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def write_report_files(report: ReconciliationReport, directory: Path) -> tuple[Path, Path]:
    """Write ``report.html`` and ``csv/<section>.csv`` (plus ``csv/summary.csv``) under ``directory``; return
    (the HTML file, the CSV directory)."""
    csv_dir = directory / "csv"
    csv_dir.mkdir(parents=True, exist_ok=True)
    page = directory / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    parts = sections(report)
    with open(csv_dir / "summary.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("Section", "Counts", "Differences", "Status"))
        for s in parts:
            writer.writerow((s.title, s.counts, len(s.rows), "OK" if s.ok else "MISMATCH"))
    for s in parts:
        with open(csv_dir / f"{s.key}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(s.rows)
    return page, csv_dir

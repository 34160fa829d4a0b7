"""The reconciliation report as files: an HTML page (summary first, one table per section, everything escaped)
and one CSV file per section."""

from __future__ import annotations

import csv
from html.parser import HTMLParser

from stripe_netsuite.reconcile.customers import reconcile_customers
from stripe_netsuite.reconcile.files import (
    COLUMNS,
    render_html,
    reports_root,
    run_directory,
    split_problem,
    write_report_files,
)
from stripe_netsuite.reconcile.report import ReconciliationReport
from stripe_netsuite.settings import Settings
from tests.fixtures.sandboxes import STRIPE_KEY, TBA
from tests.unit.test_reconcile_payouts import FEE_LINES, TXNS, deposit_row, links, payout, reconcile_payouts
from tests.unit.test_reconciliation_report import every_kind_of_difference

XSS = "<script>alert('x')</script>"


class Tables(HTMLParser):
    """Counts the tables, their rows and headings, and keeps the text and any script element."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.headings: list[str] = []
        self.scripts = 0
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "h2":
            self._heading = []
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)


def parsed(page: str) -> Tables:
    parser = Tables()
    parser.feed(page)
    parser.close()
    return parser


def a_report() -> ReconciliationReport:
    report = every_kind_of_difference()
    report.customers = reconcile_customers([{"id": "cus_x", "email": XSS}], [{"id": "1", "externalid": "cus_x",
                                                                              "email": "a@x.test"}])
    report.payouts = reconcile_payouts([payout()], TXNS, [deposit_row(total="90.00")], links(), Settings(),
                                      account_rows=FEE_LINES)
    report.notes.append(f"a note with {XSS}")
    return report


def test_the_page_opens_with_the_summary_then_one_table_per_section_naming_both_systems_records():
    report = a_report()
    page = parsed(render_html(report, generated="2026-12-08 06:00 UTC"))
    assert page.headings == ["Summary", "Customers", "Invoices and credit memos", "Payouts, deposits, Undeposited "
                                                                                  "Funds and fees"]
    assert len(page.tables) == 1 + 3  # the summary, then customers, invoices, payouts
    summary = page.tables[0]
    assert summary[0] == ["Section", "Counts", "Differences", "Status"]
    assert [r[0] for r in summary[1:]] == page.headings[1:]
    assert all(r[3] == "MISMATCH" for r in summary[1:])
    for table in page.tables[1:]:
        assert table[0] == list(COLUMNS)
    (payout_row,) = page.tables[3][1:]
    assert payout_row[0] == "po_1" and payout_row[1] == "internal ID 50"
    assert payout_row[2].startswith("amount Stripe 94.10 USD, NetSuite 90.00 USD")
    assert "trigger stripe_payouts_to_netsuite" in payout_row[3]
    invoices = {r[0]: r for r in page.tables[2][1:]}
    assert invoices["in_dup"][1] == "internal IDs 5, 6"
    assert invoices["in_missing"][1] == "none under external ID in_missing"
    assert sum(len(t) - 1 for t in page.tables[1:]) == len(report.problems())
    # everything escaped: the script is text, never an element
    assert page.scripts == 0 and XSS not in render_html(report)
    assert any(XSS in t for t in page.text)


def test_a_clean_report_says_so_and_each_section_has_a_row_saying_no_differences():
    clean = ReconciliationReport(reconcile_customers([{"id": "cus_1", "email": None}], [{"id": "1", "externalid": "cus_1"}]),
                                 None)
    page = parsed(render_html(clean))
    assert "Stripe and NetSuite agree." in page.text
    assert len(page.tables) == 2 and page.tables[1][1] == ["No differences."]


def test_the_files_are_written_one_csv_per_section_without_any_secret(tmp_path):
    report = a_report()
    html_file, csv_dir = write_report_files(report, run_directory("scheduled__2026-12-08T06:00:00+00:00", tmp_path))
    assert html_file == tmp_path / "scheduled__2026-12-08T06_00_00+00_00" / "report.html"
    assert sorted(p.name for p in csv_dir.iterdir()) == ["customers.csv", "invoices.csv", "payouts.csv", "summary.csv"]
    with open(csv_dir / "invoices.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(COLUMNS) and len(rows) - 1 == len(report.invoices.problems)
    with open(csv_dir / "customers.csv", newline="", encoding="utf-8") as f:
        assert XSS in f.read()  # a spreadsheet cell keeps the text as it is
    secrets = [STRIPE_KEY, *TBA.values()]
    for path in [html_file, *csv_dir.iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], path


def test_where_the_files_go(monkeypatch, tmp_path):
    monkeypatch.setenv("STRIPE_NETSUITE_REPORTS_DIR", str(tmp_path))
    assert reports_root() == tmp_path
    monkeypatch.delenv("STRIPE_NETSUITE_REPORTS_DIR")
    monkeypatch.setenv("AIRFLOW_HOME", "/opt/airflow")
    assert str(run_directory("manual__1")) == "/opt/airflow/stripe_netsuite_reports/manual__1"
    assert split_problem("ch_1: missing in NetSuite (x) -> fix: y") == (
        "ch_1", "none under external ID ch_1", "missing in NetSuite (x)", "fix: y")


def test_the_reconcile_task_writes_the_files_and_a_clean_run_logs_one_line(monkeypatch, tmp_path, capsys):
    from stripe_netsuite.operators import reconcile as operators

    clean = ReconciliationReport(reconcile_customers([{"id": "cus_1", "email": None}],
                                                     [{"id": "1", "externalid": "cus_1"}]), None)
    monkeypatch.setattr(operators, "build_report", lambda *args, **kwargs: clean)
    monkeypatch.setattr(operators, "StripeHook", lambda conn_id: None)
    monkeypatch.setattr(operators, "NetSuiteHook", lambda conn_id: None)
    monkeypatch.setenv("STRIPE_NETSUITE_REPORTS_DIR", str(tmp_path))
    task = operators.ReconciliationOperator(task_id="reconcile")
    summary = task.execute({"run_id": "scheduled__2026-12-08T06:00:00+00:00"})
    assert summary["ok"] and summary["html_report"] == str(tmp_path / "scheduled__2026-12-08T06_00_00+00_00" /
                                                           "report.html")
    logged = [x for x in capsys.readouterr().out.splitlines() if "[info" in x and "ReconciliationOperator" in x]
    (line,) = logged  # one line, not the whole report
    assert "Stripe and NetSuite agree: matched customers 1; 0 changed too recently, left for the next run; " \
           f"full report: {summary['html_report']} (CSV: {summary['csv_dir']})" in line

"""The demo: both sandboxes, every flow through Airflow, a reconciliation summary."""

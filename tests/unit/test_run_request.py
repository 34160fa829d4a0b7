"""Which run a flow DAG makes of its params and of how Airflow created the run."""

import datetime as dt

import pendulum
import pytest

from stripe_netsuite.sync.run_request import RunRequest, RunRequestError, parse_date_param, resolve_run_request

DAY = int(dt.datetime(2026, 11, 18, tzinfo=dt.timezone.utc).timestamp())
NONE = {"start": None, "end": None, "stripe_ids": None, "force_rewrite": False}


def test_no_params_on_a_scheduled_or_manual_run_is_incremental():
    assert resolve_run_request(NONE, run_type="scheduled") == RunRequest("incremental")
    assert resolve_run_request({}, run_type="manual") == RunRequest("incremental")


def test_params_make_a_backfill_of_whole_utc_days_end_excluded():
    request = resolve_run_request({**NONE, "start": "2026-11-18", "end": "2026-11-19"}, run_type="manual")
    assert (request.mode, request.start, request.end) == ("backfill", DAY, DAY + 86400)
    assert "from 2026-11-18 00:00 UTC up to 2026-11-19 00:00 UTC (not included)" in request.describe()
    assert resolve_run_request({**NONE, "start": "2026-11-18"}).end is None


def test_an_airflow_backfill_run_takes_its_data_interval():
    hour = pendulum.datetime(2026, 11, 18, 10, tz="UTC")
    request = resolve_run_request(NONE, run_type="backfill", data_interval_start=hour,
                                  data_interval_end=hour.add(hours=1))
    assert (request.mode, request.start, request.end) == ("backfill", DAY + 36000, DAY + 39600)
    assert "Airflow backfill" in request.describe() and "cursor stays" in request.describe()


def test_an_enum_run_type_counts_too():
    from airflow.utils.types import DagRunType

    hour = pendulum.datetime(2026, 11, 18, 10, tz="UTC")
    request = resolve_run_request(NONE, run_type=DagRunType.BACKFILL_JOB, data_interval_start=hour,
                                  data_interval_end=hour.add(hours=1))
    assert request.mode == "backfill"


def test_params_win_over_a_backfill_runs_interval():
    hour = pendulum.datetime(2026, 11, 18, 10, tz="UTC")
    request = resolve_run_request({**NONE, "start": "2026-11-01"}, run_type="backfill",
                                  data_interval_start=hour, data_interval_end=hour.add(hours=1))
    assert (request.start, request.source) == (DAY - 17 * 86400, "params start/end")


def test_a_backfill_run_without_an_interval_is_refused():
    hour = pendulum.datetime(2026, 11, 18, 10, tz="UTC")
    with pytest.raises(RunRequestError, match="no usable data interval"):
        resolve_run_request(NONE, run_type="backfill", data_interval_start=hour, data_interval_end=hour)


@pytest.mark.parametrize("bad", ["18/11/2026", "2026-13-01", "2026-11-18T10:00", "yesterday", "2026-1-8"])
def test_a_bad_date_names_the_param_and_the_format(bad):
    with pytest.raises(RunRequestError, match=rf"Param 'end' is '{bad}', which is not a date in the format YYYY-MM-DD"):
        resolve_run_request({**NONE, "end": bad})


def test_start_must_be_before_end():
    with pytest.raises(RunRequestError, match="must be before 'end'"):
        resolve_run_request({**NONE, "start": "2026-11-19", "end": "2026-11-19"})


def test_stripe_ids_choose_the_objects_and_force_rewrite_is_passed_on():
    request = resolve_run_request({**NONE, "stripe_ids": ["in_1", " in_2 ", "in_1", ""], "force_rewrite": True})
    assert (request.mode, request.stripe_ids, request.force_rewrite) == ("ids", ("in_1", "in_2"), True)
    assert request.describe() == "Syncing 2 chosen Stripe object(s): in_1, in_2; rewriting records even if unchanged"
    assert resolve_run_request({**NONE, "stripe_ids": "in_1, in_2\nin_3"}).stripe_ids == ("in_1", "in_2", "in_3")


@pytest.mark.parametrize("params,match", [
    ({"stripe_ids": ["in_1"], "start": "2026-11-18"}, "choose the Stripe IDs or the dates"),
    ({"stripe_ids": ["in 1; drop"]}, "not a Stripe ID"),
    ({"stripe_ids": 7}, "must be a list"),
    ({"force_rewrite": "maybe"}, "true or false"),
])
def test_contradictory_or_malformed_params_are_refused(params, match):
    with pytest.raises(RunRequestError, match=match):
        resolve_run_request({**NONE, **params})


def test_force_rewrite_alone_applies_to_the_incremental_run():
    assert resolve_run_request({**NONE, "force_rewrite": "true"}) == RunRequest("incremental", force_rewrite=True)


def test_date_param_values():
    assert parse_date_param(None, "start") is None and parse_date_param("None", "start") is None
    assert parse_date_param(dt.date(2026, 11, 18), "start") == DAY
    assert parse_date_param(dt.datetime(2026, 11, 18, 1), "start") == DAY + 3600

import datetime as dt

import pytest

from stripe_netsuite.settings import Settings, SettingsError, load_settings

EXAMPLE = "include/settings.example.yaml"


def test_no_file_means_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("STRIPE_NETSUITE_SETTINGS", raising=False)
    monkeypatch.setattr("stripe_netsuite.settings.DEFAULT_SETTINGS_PATH", tmp_path / "absent.yaml")
    assert load_settings() == Settings()


def test_example_file_is_valid_and_documents_every_key():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / EXAMPLE
    settings = load_settings(path)
    text = path.read_text()
    for section, model in Settings.model_fields.items():
        assert f"{section}:" in text
        for key in model.annotation.model_fields:
            assert f"{key}:" in text, f"{section}.{key} is not documented in {EXAMPLE}"
    assert isinstance(settings, Settings)


def test_env_var_points_at_the_file(monkeypatch, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("sync:\n  start_date: 2026-02-01\ncustomers:\n  default_type: individual\n")
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(path))
    settings = load_settings()
    assert settings.sync.start_date == dt.date(2026, 2, 1)
    assert settings.customers.default_type == "individual"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("customers:\n  default_type: robot\n", "customers.default_type"),
        ("customers:\n  colour: red\n", "customers.colour"),
        ("sync:\n  batch_size: 500\n", "sync.batch_size"),
        ("customers:\n  fingerprint_field: memo\n", "custentity"),
        ("- a list\n", "must be a mapping"),
        ("customers: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, text, fragment):
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_missing_file_named_by_env_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("STRIPE_NETSUITE_SETTINGS", str(tmp_path / "nope.yaml"))
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings()

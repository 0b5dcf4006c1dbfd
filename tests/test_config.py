"""Settings: defaults, env overrides, and one clear line for every bad value."""

import subprocess
import sys

import pytest

from knowledge.config import ConfigError, load_settings
from tests.conftest import REPO


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_repo_config_loads_with_documented_defaults():
    settings = load_settings(REPO / "config.toml", env={})
    assert settings.store.mode == "embedded"
    assert settings.resolve(settings.store.path) == REPO / "var" / "index"
    assert settings.resolve(settings.state.path) == REPO / "var" / "carewise.db"
    assert settings.ingest.max_file_mb == 50
    assert (settings.tips.weekday, settings.tips.time.isoformat(), settings.tips.timezone) == ("monday", "09:00:00", "Europe/London")
    assert settings.telegram.api_base_url == "https://api.telegram.org/bot"
    assert settings.answer.mode == "extractive"


def test_env_overrides_any_setting_with_json_for_lists(tmp_path):
    env = {"CAREWISE_STORE__PATH": "/srv/index", "CAREWISE_TELEGRAM__ADMIN_IDS": "[111,222]",
           "CAREWISE_TIPS__MAX_PER_SECOND": "500", "CAREWISE_TIPS__TIME": "07:30", "UNRELATED": "x"}
    settings = load_settings(REPO / "config.toml", env=env)
    assert str(settings.store.path) == "/srv/index"
    assert settings.telegram.admin_ids == (111, 222)
    assert settings.tips.max_per_second == 500
    assert settings.tips.time.hour == 7


@pytest.mark.parametrize(
    "text, named",
    [
        ("[store]\nmode = 'cloud'\n", "[store] mode"),
        ("[ingest]\nmax_file_mb = 'big'\n", "[ingest] max_file_mb"),
        ("[nonsense]\nx = 1\n", "unknown section [nonsense]"),
        ("[store]\npathh = 'x'\n", "unknown setting [store] pathh"),
        ("[tips]\ntimezone = 'Mars/Olympus'\n", "[tips] timezone"),
        ("[tips]\nweekday = 'funday'\n", "[tips] weekday"),
        ("[answer]\nmode = 'generative'\n", "[llm] model"),
        ("[store\n", "not valid TOML"),
    ],
)
def test_bad_settings_give_one_line_naming_the_setting(tmp_path, text, named):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), env={})
    message = str(caught.value)
    assert named in message and "\n" not in message


def test_bad_env_override_is_named_too():
    with pytest.raises(ConfigError, match=r"\[telegram\] admin_ids"):
        load_settings(REPO / "config.toml", env={"CAREWISE_TELEGRAM__ADMIN_IDS": "[\"bob\"]"})


@pytest.mark.parametrize("command", [["-m", "ingest", "--list"], ["-m", "bot", "ask", "hello"]])
def test_commands_stop_with_one_line_not_a_traceback(tmp_path, command):
    bad = write(tmp_path, "[store]\nport = 'eighty'\n")
    result = subprocess.run([sys.executable, *command, "--config", str(bad)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "[store] port" in result.stderr
    assert "Traceback" not in result.stderr

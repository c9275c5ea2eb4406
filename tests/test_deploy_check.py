"""`manage.py check --deploy` is clean with production settings."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_check_deploy_passes_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LOOKALIKE_"))
    }
    env.update(
        DJANGO_SECRET_KEY="a-long-production-secret-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="lookalike.example",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:///unused.sqlite3"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOOKALIKE_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from opsdesk.settings.base import DEVELOPMENT_SECRET_KEY, refuse_development_key

ROOT = Path(__file__).resolve().parents[2]


def _import_settings(module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.LANGUAGE_CODE)"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )


def test_development_key_is_refused_when_debug_is_off():
    with pytest.raises(ImproperlyConfigured):
        refuse_development_key(debug=False, secret_key=DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ImproperlyConfigured):
        refuse_development_key(debug=False, secret_key="")
    refuse_development_key(debug=True, secret_key=DEVELOPMENT_SECRET_KEY)
    refuse_development_key(debug=False, secret_key="a-real-key-" + "x" * 40)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _import_settings("opsdesk.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_local_settings_refuse_the_development_key_with_debug_off():
    result = _import_settings("opsdesk.settings.local", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_read_everything_from_the_environment():
    result = _import_settings(
        "opsdesk.settings.production",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://opsdesk:pw@db.internal:5432/opsdesk",
        TIME_ZONE="Asia/Shanghai",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "Asia/Shanghai", "zh-hans"]


def test_embedded_default_is_sqlite_with_debug_on():
    result = _import_settings("opsdesk.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "django.db.backends.sqlite3"]


def _session_engine(module: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CACHE_URL"}}
    clean.update(SECRET_KEY="k" * 50, **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_sessions_are_read_through_the_cache_only_when_every_process_shares_it():
    # A per-process cache (the default) would keep a session that another process logged out: database only.
    assert _session_engine("opsdesk.settings.production", CACHE_URL="") == [
        "django.core.cache.backends.locmem.LocMemCache", "core.sessions"]
    assert _session_engine("opsdesk.settings.production", CACHE_URL="filecache:///tmp/opsdesk-cache") == [
        "django.core.cache.backends.filebased.FileBasedCache", "core.sessions"]  # one machine's
    assert _session_engine("opsdesk.settings.production", CACHE_URL="redis://127.0.0.1:6379/1") == [
        "django.core.cache.backends.redis.RedisCache", "core.sessions_cached"]
    assert _session_engine("opsdesk.settings.local", CACHE_URL="redis://127.0.0.1:6379/1") == [
        "django.core.cache.backends.redis.RedisCache", "core.sessions_cached"]

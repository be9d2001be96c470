"""The import contracts (.importlinter) hold, cover every app and every module, and can fail.

`make test` runs lint-imports before pytest (scripts/test.sh); these tests run it too, and run it on
a copy of the apps with one deliberately wrong import to show that each kind of contract catches it.
"""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONFIG = configparser.ConfigParser()
CONFIG.read(ROOT / ".importlinter")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#")]


ROOT_PACKAGES = _lines(CONFIG["importlinter"]["root_packages"])
LAYERS = _lines(CONFIG["importlinter:contract:layers"]["layers"])

# What another app may import of each app (.importlinter's header says why).
PUBLIC = {
    "accounts": ("accounts.models", "accounts.roles", "accounts.selectors", "accounts.services", "accounts.demo"),
    "roster": ("roster.selectors", "roster.services"),
    "changes": ("changes.selectors", "changes.services"),
    "tickets": ("tickets.selectors", "tickets.services", "tickets.models.reference"),
}


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_local_app_is_checked_in_the_order_of_the_layers():
    """A new app (changes, monitoring, routine) must join root_packages and its layer; INSTALLED_APPS
    lists the apps lowest layer first, which is the order the registries (core.registry) keep."""
    local = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir() and (ROOT / app / "apps.py").exists()]
    assert sorted(local) == sorted(ROOT_PACKAGES)
    bottom_up = [name.strip("()") for layer in reversed(LAYERS) for name in layer.split(" | ")]
    present = [name for name in bottom_up if name in local]
    assert local == present


def _protected(contract: str) -> list[str]:
    return _lines(CONFIG[f"importlinter:contract:{contract}"]["protected_modules"])


@pytest.mark.parametrize("app", sorted(PUBLIC))
def test_every_module_of_an_app_is_public_or_protected(app):
    """A module added to an app is caught here until it is either one of the public rooms or listed
    in the app's rooms contract."""
    graph = grimp.build_graph(app, cache_dir=None)
    protected = _protected(f"{app}-rooms")
    exact = {p for p in protected if not p.endswith(".**")}
    trees = tuple(p[: -len("**")] for p in protected if p.endswith(".**"))
    packages = {p[: -len(".**")] for p in protected if p.endswith(".**")}  # their empty __init__ modules
    unlisted = sorted(
        module for module in graph.find_descendants(app)
        if module not in exact | packages
        and not module.startswith(trees)
        and not any(module == public or module.startswith(public + ".") for public in PUBLIC[app])
    )
    assert unlisted == []


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    for name in ROOT_PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


WRONG_IMPORTS = [
    pytest.param(
        "tickets/selectors/tickets.py", "from reports.selectors.periods import Period",
        "Apps depend one way", "tickets.selectors.tickets -> reports.selectors.periods", id="tickets-imports-reports",
    ),
    pytest.param(
        "reports/selectors/monthly.py", "from tickets.models.ticket import Ticket",
        "tickets: only services, selectors", "reports.selectors.monthly -> tickets.models.ticket",
        id="reports-imports-a-ticket-model",
    ),
    pytest.param(
        "reports/selectors/ledger.py", "from tickets.services.tickets import ticket_claim",
        "reports reads the other apps through their selectors only", "reports.selectors.ledger -> tickets.services",
        id="reports-imports-a-service",
    ),
    pytest.param(
        "roster/views.py", "from tickets.selectors.handover import handover_open_items",
        "Apps depend one way", "roster.views -> tickets.selectors.handover", id="roster-imports-tickets",
    ),
    pytest.param(
        "tickets/views/detail.py", "from roster.models import Shift",
        "roster: only services and selectors", "tickets.views.detail -> roster.models", id="tickets-imports-a-roster-model",
    ),
]


@pytest.mark.parametrize(("path", "line", "contract", "named"), WRONG_IMPORTS)
def test_a_wrong_import_breaks_its_contract(project_copy, path, line, contract, named):
    """Given the apps as they are, when one module gains one wrong import, then lint-imports fails,
    names the broken contract and the import (the same copy without it passes: see the first test)."""
    target = project_copy / path
    target.write_text(target.read_text() + f"\n{line}  # deliberately wrong\n")
    result = _lint_imports(project_copy)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    assert named in " ".join(broken.split()), broken

"""docs/contract-map.md (clause → code → test) names only what exists: every module imports, every
function exists and names one of its row's clauses in its docstring, every test file and test exists."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "docs" / "contract-map.md"


def _rows() -> list[tuple[list[str], list[str], list[str]]]:
    """(clauses, code entries, test entries) of every table row that lists code."""
    rows = []
    for line in MAP.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[2].startswith("`"):
            continue
        clauses = [c.strip() for c in cells[0].split(",")]
        rows.append((clauses, re.findall(r"`([^`]+)`", cells[2]), re.findall(r"`([^`]+)`", cells[3])))
    return rows


ROWS = _rows()


def test_the_map_lists_the_clauses_of_the_contract_tables():
    listed = {clause for clauses, _code, _tests in ROWS for clause in clauses}
    for clause in ("8.2.12", "验收 1(4)", "验收 1(5)", "8.1.8", "1.1", "8.2.3", "2.1", "1.2.9", "8.2.8", "验收 1(1)",
                   "验收 1(2)", "验收 1(3)", "验收 1(6)", "验收 1(7)", "8.1.6", "8.1.3", "3.2.11", "8.1.7", "8.2.13",
                   "8.1.9", "6.2.2", "7.1", "6.2.4", "6.2.9", "验收 2.1", "8.2.9"):
        assert clause in listed, clause
    assert all(code and tests for _clauses, code, tests in ROWS)


def _resolve(dotted: str):
    """The module, or the module's attribute, that `dotted` names (the longest importable prefix)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj, cut < len(parts)
    raise ModuleNotFoundError(dotted)


def _names_a_clause(doc: str, clauses: list[str]) -> bool:
    for clause in clauses:
        variants = {clause, re.sub(r"\(\d+\)$", "", clause).strip()}  # 验收 1(4) is also under 验收 1
        for variant in variants:
            if re.search(rf"(?<![\d.]){re.escape(variant)}(?![\d(])", doc):
                return True
    return False


@pytest.mark.parametrize(("clauses", "code"), [(c, e) for c, code, _t in ROWS for e in code], ids=str)
def test_every_listed_module_and_function_exists_and_names_its_clause(clauses, code):
    obj, is_attribute = _resolve(code)
    if is_attribute:
        assert _names_a_clause(inspect.getdoc(obj) or "", clauses), f"{code}'s docstring names none of {clauses}"


@pytest.mark.parametrize("entry", sorted({e for _c, _code, tests in ROWS for e in tests}))
def test_every_listed_test_exists(entry):
    path, _sep, name = entry.partition("::")
    source = (ROOT / path).read_text(encoding="utf-8")
    if name:
        assert re.search(rf"^def {re.escape(name)}\(", source, re.M), entry

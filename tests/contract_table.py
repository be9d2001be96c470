"""The service catalogue table (政务云服务需求数量详表) of the contract.

`CATALOGUE` is the 22-row table kept in the repository as data (tests/data/contract_catalogue.json),
so the seeded catalogue is checked in any clone. `read_catalogue` reads the same table out of the
contract text in ../shared; a test compares the two whenever that text is present and is skipped,
saying why, when it is not."""

import json
import os
from pathlib import Path

_RELATIVE = Path("shared") / "contract" / "procurement-requirements.zh.txt"


def _find_contract() -> Path:
    """shared/ lies beside the checkout (CI's clone, the main work tree) or beside a parent of it
    (a git worktree one level deeper); OPSDESK_CONTRACT_TEXT names it explicitly."""
    if os.environ.get("OPSDESK_CONTRACT_TEXT"):
        return Path(os.environ["OPSDESK_CONTRACT_TEXT"])
    repo = Path(__file__).resolve().parent.parent
    for folder in repo.parents:
        if (folder / _RELATIVE).exists():
            return folder / _RELATIVE
    return repo.parent / _RELATIVE


CONTRACT_TEXT = _find_contract()
CATALOGUE: list[dict] = json.loads((Path(__file__).parent / "data" / "contract_catalogue.json").read_text(encoding="utf-8"))

COLUMNS = ("seq", "category", "sub_category", "item", "unit", "price_unit", "quantity", "months")


def read_catalogue(path: Path = CONTRACT_TEXT) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    start = text.index("政务云服务需求数量详表")
    body = text[start:].split("\n", 1)[1]
    lines = body.split("\n")
    # Header: 8 lines of column names, then a blank; then each row is 8 tab-prefixed cells and a blank.
    cells: list[str] = []
    rows: list[dict] = []
    i = 9
    previous: dict = {}
    while i < len(lines) and len(rows) < 22:
        line = lines[i]
        i += 1
        if not line.startswith("\t"):
            if cells:
                raise ValueError(f"row ended early: {cells}")
            continue
        cells.append(line[1:].strip())
        if len(cells) == len(COLUMNS):
            row = dict(zip(COLUMNS, cells, strict=True))
            for key in ("category", "sub_category"):
                if not row[key]:
                    row[key] = previous[key]  # a merged cell takes the value above it
            row["seq"] = int(row["seq"])
            row["quantity"] = int(row["quantity"])
            row["months"] = int(row["months"])
            del row["price_unit"]
            rows.append(row)
            previous = row
            cells = []
    return rows

import datetime as dt

import pytest

from tests.contract_table import CATALOGUE, CONTRACT_TEXT, read_catalogue
from tickets.models import Contract, ServiceItem

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    not CONTRACT_TEXT.exists(),
    reason=f"the contract text is not beside this clone ({CONTRACT_TEXT}); the catalogue is checked against the repository's copy",
)
def test_the_repository_copy_of_the_catalogue_equals_the_contract_text():
    assert read_catalogue() == CATALOGUE


def test_seeded_catalogue_equals_the_contract_table():
    contract = Contract.objects.get(code="BJCG-ZWY-2025")
    assert (contract.start_date, contract.end_date) == (dt.date(2025, 6, 27), dt.date(2026, 6, 26))
    assert contract.purchaser.name == "北京市城市管理综合执法局"
    seeded = list(
        ServiceItem.objects.filter(contract=contract)
        .order_by("seq")
        .values("seq", "category", "sub_category", "item", "unit", "quantity", "months")
    )
    assert seeded == CATALOGUE
    assert len(seeded) == 22
    by_seq = {row["seq"]: row for row in seeded}
    assert by_seq[1]["quantity"] == 4235 and by_seq[1]["unit"] == "1CPU"
    assert by_seq[2]["category"] == "云主机服务"  # merged cell takes the value above
    assert by_seq[22]["quantity"] == 20000


def test_service_items_api_filters_by_contract(api, users):
    from accounts.demo import seed as seed_accounts
    from tickets.demo import seed_reference

    seed_accounts()
    seed_reference()
    first = Contract.objects.get(code="BJCG-ZWY-2025")
    renewal = Contract.objects.get(code="BJCG-ZWY-2026")
    assert renewal.previous == first and renewal.start_date == dt.date(2026, 6, 27)
    response = api(users["engineer"]).get("/api/v1/service-items/", {"contract": renewal.pk, "page_size": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 22
    row = body["results"][0]
    assert set(row) == {"id", "contract", "seq", "category", "sub_category", "item", "unit", "quantity", "months"}
    assert (row["seq"], row["unit"], row["quantity"], row["months"]) == (1, "1CPU", 4235, 12)
    assert [r["quantity"] for r in body["results"]] == [r["quantity"] for r in CATALOGUE]

"""The monthly report and the downtime report are read on paper (issue 19 item 9): no text under 8 pt,
a short list is a table and only a long one a monospace listing, a quantity reads with its unit, the
verdicts keep to one line, the weekly chart's labels clear its title."""

import re
import subprocess
import unicodedata

import pytest

from reports.charts import TITLE_BASELINE, percent_line_chart
from reports.listing import TABLE_MAX_ROWS, Table
from reports.pdf import render_html, render_pdf
from reports.selectors.downtime import downtime_report_data
from reports.selectors.monthly import monthly_report_data
from reports.selectors.periods import parse_month
from reports.templatetags.reports_listing import clock_text, incident_listing

from .conftest import EVAL_AT
from .test_pdf_monthly_listings import _breached_faults

pytestmark = pytest.mark.django_db
OCTOBER = parse_month("2026-10")
# A word's box in `pdftotext -bbox` is its font's ascent + descent: 1.448 em for Noto Sans CJK and
# Noto Sans Mono CJK, so 8 pt text is 11.58 pt high (7 pt text, as the listings had, 10.14).
EM_BOX = 1.448
MIN_PT = 8


def _word_sizes(pdf: bytes, tmp_path) -> list[tuple[float, str]]:
    """(font size in pt, word) of every word set in the report's own fonts (Latin and Chinese; a rare
    symbol falls back to another font with other metrics)."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for y_min, y_max, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', out):
        if all(ch.isascii() or unicodedata.east_asian_width(ch) in "WF" for ch in word):
            words.append(((float(y_max) - float(y_min)) / EM_BOX, word))
    return words


def _monthly(contract, **extra):
    data = monthly_report_data(contract=contract, period=OCTOBER, now=EVAL_AT)
    data.update(version=1, generated_at=EVAL_AT, generated_by_name="测试", **extra)
    return data


def test_no_text_of_the_monthly_report_is_under_8_pt(october, users, contract, tmp_path):
    # Given a month long enough for the incidents and open tickets to be listings
    _breached_faults(TABLE_MAX_ROWS + 1, users=users, system=october["own"])
    data = _monthly(contract)
    html = render_html("reports/pdf/monthly.html", data)
    assert html.count('<div class="listing">') == 2 and 'table class="rows"' in html
    # Then every word of every page is 8 pt or more, listings included
    sizes = _word_sizes(render_pdf("reports/pdf/monthly.html", data), tmp_path)
    assert len(sizes) > 1000
    small = [(round(size, 2), word) for size, word in sizes if size < MIN_PT - 0.01]
    assert not small, small[:10]
    assert any(word.startswith("GZ-20261002-") and size < 8.5 for size, word in sizes)  # the listing's 8 pt


def test_listing_lines_stay_within_the_page_margins(october, users, contract, tmp_path):
    """The landscape listings' 188 cells fit between the margins (12 mm and the body's 6 pt each side)."""
    _breached_faults(TABLE_MAX_ROWS + 1, users=users, system=october["own"],
                     title=lambda i: "夜间批处理任务执行失败，次日报表数据缺失，需人工补跑并核对结果" * 2)
    path = tmp_path / "m.pdf"
    path.write_bytes(render_pdf("reports/pdf/monthly.html", _monthly(contract)))
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    landscape = [page for page in out.split("<page ")[1:] if page.startswith('width="841')]
    assert landscape
    right = 841.89 - 12 / 25.4 * 72 - 6  # the page less its right margin and the body's
    top, bottom = 14 / 25.4 * 72, 595.28 - 14 / 25.4 * 72  # the page's content box (the margin boxes aside)
    for page in landscape:
        x_max = [float(x) for y0, x, y1 in re.findall(r'yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)
                 if float(y0) > top and float(y1) < bottom]
        assert x_max and max(x_max) <= right + 0.5, max(x_max)


def test_no_text_of_the_downtime_report_is_under_8_pt(october, tmp_path):
    data = downtime_report_data(ticket_id=october["t3"].pk, now=EVAL_AT)
    sizes = _word_sizes(render_pdf("reports/pdf/downtime.html", data), tmp_path)
    assert sizes and min(size for size, _word in sizes) >= MIN_PT - 0.01


def test_a_short_list_is_a_table_and_a_long_one_a_listing(october, users, contract):
    few = _monthly(contract)["incidents"]["rows"]
    table = incident_listing(few)
    assert isinstance(table, Table) and table.rows == len(few) <= TABLE_MAX_ROWS
    # a breached clock is marked in red in a table
    assert '<span class="fail">超时</span>' in table.html and october["t2"].number in table.html
    _breached_faults(TABLE_MAX_ROWS, users=users, system=october["own"])
    many = _monthly(contract)["incidents"]["rows"]
    listing = incident_listing(many)
    assert not getattr(listing, "table", False) and listing.rows == len(many) > TABLE_MAX_ROWS


def test_a_table_escapes_user_text():
    table = incident_listing([{
        "number": "GZ-20261002-0001", "severity": "P3", "business_system__name": "系统 <i>", "reported_at": EVAL_AT,
        "acknowledged_at": None, "located_at": None, "resolved_at": None, "clocks": [], "title": "<b>粗体</b> & 标题",
    }])
    assert "&lt;b&gt;粗体&lt;/b&gt; &amp; 标题" in table.html and "系统 &lt;i&gt;" in table.html and "<b>" not in table.html


def test_a_breached_clock_in_a_table_follows_its_figures_in_red():
    late = {"elapsed_minutes": 20, "target_minutes": 15, "state": "breached"}
    assert clock_text(late, 14, table=True) == ("20分/15分 ", ("超时", "fail"))


def test_the_contracted_quantity_reads_with_its_unit(october, contract, tmp_path):
    from tickets.models import ServiceItem

    vcpu = ServiceItem.objects.get(contract=contract.previous, seq=1)
    assert (vcpu.unit, vcpu.quantity_text) == ("1CPU", "4235 CPU")
    assert ServiceItem(unit="1账号", quantity=33).quantity_text == "33 账号"
    assert ServiceItem(unit="10GB", quantity=3).quantity_text == "3 10GB"  # a unit of ten stays as it is
    ServiceItem.objects.bulk_create([
        ServiceItem(contract=contract, seq=i.seq, category=i.category, sub_category=i.sub_category, item=i.item,
                    unit=i.unit, quantity=i.quantity, months=i.months)
        for i in ServiceItem.objects.filter(contract=contract.previous)
    ])
    data = _monthly(contract)
    [vcpu_row] = [r for r in data["resources"]["totals"] if r["resource"] == "vCPU"]
    assert vcpu_row["contracted"] == "4235 CPU"
    path = tmp_path / "m.pdf"
    path.write_bytes(render_pdf("reports/pdf/monthly.html", data))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "4235 CPU" in text and "4235 1CPU" not in text


def test_verdicts_keep_to_one_line(october, contract, tmp_path):
    html = render_html("reports/pdf/monthly.html", _monthly(contract))
    kpi = html.split('<table class="kpi">')[1].split("</table>")[0]
    verdicts = re.findall(r'<td class="(\w+) nowrap">(达标|未达标|无数据)</td>', kpi)
    assert len(verdicts) >= 8
    down = render_html("reports/pdf/downtime.html", downtime_report_data(ticket_id=october["t3"].pk, now=EVAL_AT))
    assert re.search(r'<td class="nowrap pass">达标</td>', down)
    path = tmp_path / "m.pdf"
    path.write_bytes(render_pdf("reports/pdf/monthly.html", _monthly(contract)))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # no verdict is broken over two lines ("达" on one, "标" on the next)
    assert not re.search(r"(^|\s)(未|未达|达)\s*$", text, re.MULTILINE)


def test_the_weekly_chart_labels_clear_its_title():
    chart = percent_line_chart(title="各周 SLA 达标率（全部计时）", labels=["10.01–10.04", "10.05–10.11"],
                               values=[1.0, 0.5], target=0.95)
    labels = [float(y) for y, text in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" fill="[^"]+">([\d.]+%)</text>',
                                                 chart.svg)]
    assert labels, chart.svg
    # a data label is 11 px high: its top stays below the title's baseline and descent (13 px text)
    assert min(labels) - 11 > TITLE_BASELINE + 3

"""The experience checks of the browser issue: phone and laptop widths, SLA colours at 50 % / 80 % /
breach, forms that keep input and speak Chinese, labelled inputs, keyboard focus, a <nav> of plain
links, every main page in Chinese. (The watcher asserts that no request leaves the host.)"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.selectors import user_tenant_id
from tests.e2e.conftest import E2E_DB
from tickets.models import BusinessSystem
from tickets.services.tickets import ticket_create

pytestmark = E2E_DB

UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button' && el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""
CJK = re.compile(r"[\u4e00-\u9fff]")

# WCAG 2 contrast of every visible text element against the first opaque background behind it.
LOW_CONTRAST_JS = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent || !el.childNodes.length) continue;
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join('');
    if (!text) continue;
    const style = getComputedStyle(el);
    const a = lum(rgb(style.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName} "${text.slice(0, 20)}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_requester_pages_at_phone_and_laptop_widths(e2e):
    for width, height in ((360, 740), (1366, 768)):
        page = e2e.login("req1", width=width, height=height)
        for path, label in (("/tickets/new/", "submit"), ("/tickets/", "list")):
            page.goto(e2e.url(path))
            assert _overflow(page) <= 0, f"{path} scrolls sideways at {width}px"
            e2e.shot(page, f"{label}-{width}")
        # The submit button is reachable on the phone.
        page.goto(e2e.url("/tickets/new/"))
        expect(page.locator("main form.ticket-form button[type=submit]")).to_be_visible()


def test_sla_badges_change_colour_at_50_80_and_breach(e2e):
    engineer = User.objects.get(username="eng1")
    caller = User.objects.get(username="req1")
    system = BusinessSystem.objects.filter(organization_id=user_tenant_id(caller)).order_by("pk").first()
    now = timezone.now()
    expected = {}
    # P2 fault: response within 15 minutes. Elapsed 20 (breached), 13 (87 %), 9 (60 %), 2 minutes.
    for minutes, css in ((20, "sla-breached"), (13, "sla-risk"), (9, "sla-warn"), (2, "sla-ok")):  # oldest call first
        ticket = ticket_create(
            actor=engineer, title=f"SLA {minutes} 分钟", kind="fault", severity="P2", business_system=system,
            channel="phone", requester=caller, reported_at=now - dt.timedelta(minutes=minutes, seconds=20),
        )
        expected[ticket.pk] = css
    page = e2e.login("eng1")
    page.goto(e2e.url("/tickets/queue/unassigned/"))
    for pk, css in expected.items():
        badge = page.locator(f"#ticket-row-{pk} .sla[data-sla-clock=response]")
        expect(badge).to_have_class(re.compile(rf"\b{css}\b"))
    e2e.shot(page, "sla-colours")


def test_a_failed_form_keeps_input_and_shows_chinese_errors(e2e):
    page = e2e.login("req1")
    page.goto(e2e.url("/tickets/new/"))
    form = page.locator("main form.ticket-form")
    form.locator("#id_description").fill("只填了描述，没有标题。")
    response_status = []
    page.on("response", lambda r: response_status.append(r.status) if r.request.method == "POST" else None)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert response_status == [200]  # Django's convention: the form again, with its errors
    expect(form.locator("#id_description")).to_have_value("只填了描述，没有标题。")
    title_field = form.locator(".field.has-error", has=page.locator("#id_title"))
    expect(title_field).to_contain_text("该字段是必填项")
    e2e.shot(page, "form-errors")


def test_labels_keyboard_focus_navigation_and_chinese(e2e):
    for username, paths in (
        ("req1", ["/", "/tickets/new/", "/tickets/", "/changes/"]),
        ("eng1", ["/tickets/queue/", "/tickets/intake/", "/changes/new/", "/roster/on-duty/", "/roster/swaps/"]),
        ("pm", ["/reports/", "/reports/monthly/", "/reports/packages/", "/roster/rosters/new/"]),
    ):
        page = e2e.login(username)
        for path in paths:
            page.goto(e2e.url(path))
            assert page.locator("html").get_attribute("lang") == "zh-hans", path
            assert CJK.search(page.locator("h1").first.inner_text()), f"{path}: the heading is not Chinese"
            assert page.evaluate(UNLABELLED_JS) == [], f"{path}: unlabelled inputs"
            assert page.evaluate(LOW_CONTRAST_JS) == [], f"{path}: text below WCAG AA contrast"
            # The main navigation is a <nav> landmark of plain same-origin links.
            nav = page.locator("nav.mainnav")
            assert nav.count() == 1
            assert nav.locator("button, form, input, select, script").count() == 0
            hrefs = nav.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            assert hrefs and all(h.startswith("/") for h in hrefs), hrefs
        # Keyboard: Tab reaches the navigation's links and the focused element shows an outline.
        page.goto(e2e.url(paths[0]))
        reached = set()
        for _ in range(12):
            page.keyboard.press("Tab")
            focused = page.evaluate("""() => { const el = document.activeElement; const s = getComputedStyle(el);
                return {tag: el.tagName, nav: !!el.closest('nav.mainnav'), outline: s.outlineStyle, width: s.outlineWidth}; }""")
            assert focused["tag"] != "BODY"
            assert focused["outline"] != "none" and focused["width"] != "0px", focused
            reached.add(focused["nav"])
        assert True in reached, f"{username}: Tab never reached the main navigation"

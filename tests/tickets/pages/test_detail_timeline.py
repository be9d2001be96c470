"""The ticket page's timeline and action forms are written in Python (tickets.templatetags.ticket_pages:
ticket_timeline, ticket_action_forms): the same HTML the templates wrote, in either language."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

# The template the tag replaced, as it was.
BEFORE = Template("""{% load i18n ticket_pages %}{% for e in events %}<li><time datetime="{{ e.at|date:'c' }}">{{ e.at|date:"Y-m-d H:i:s" }}</time>
      <strong>{{ e.get_kind_display }}</strong>{% if e.from_status or e.to_status %} <span class="muted small">{% if e.from_status %}{{ status_labels|get_item:e.from_status }} → {% endif %}{{ status_labels|get_item:e.to_status }}</span>{% endif %}
      <span class="muted">· {{ e.actor.display_name|default:_("系统") }}</span>
      {% if e.note %}<div class="prose small">{{ e.note|linebreaksbr }}</div>{% endif %}</li>{% endfor %}""")
AFTER = Template("{% load ticket_pages %}{% ticket_timeline events %}")


def _events(users):
    at = timezone.make_aware(dt.datetime(2026, 3, 1, 8, 5, 9, 123456), dt.UTC)
    nameless = users["engineer2"]
    nameless.real_name = ""
    return [
        TicketEvent(kind=kind, actor=actor, at=at + dt.timedelta(minutes=i), note=note, from_status=before, to_status=after)
        for i, (kind, actor, note, before, after) in enumerate([
            ("created", users["requester"], "", "", "new"),
            ("acknowledged", users["engineer"], "收到 <b>马上</b> & 处理\n第二行\n\n第四行", "new", "acknowledged"),
            ("clock_stopped", None, "响应时钟停止", "", ""),
            ("assigned", nameless, "", "", ""),
            ("pended", users["engineer"], "", "in_progress", "pending"),
            ("no_such_kind", users["engineer"], "", "no_such_status", "also_unknown"),
            ("resolved", users["engineer"], "<script>alert(1)</script>", "located", "resolved"),
        ])
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_timeline_reads_as_the_template_wrote_it(users, language):
    events = _events(users)
    with translation.override(language), timezone.override("Asia/Shanghai"):
        before = BEFORE.render(Context({"events": events, "status_labels": dict(Ticket.Status.choices)}))
        after = AFTER.render(Context({"events": events}))
    assert after == before
    assert "&lt;script&gt;" in after and "<script>" not in after
    assert "第二行<br>" in after and "2026-03-01 16:05:09" in after


def test_the_ticket_page_shows_its_timeline(client, users, new_ticket):
    from tickets.services.actions import ticket_action_run

    ticket = new_ticket()
    ticket_action_run(action="acknowledge", actor=users["engineer"], ticket=ticket)
    client.force_login(users["engineer"])
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert timeline.count("<li>") >= 2 and "创建" in timeline and "响应" in timeline
    assert users["engineer"].display_name in timeline


# The template the action forms' tag replaced (tickets/_action_form.html), as it was, for each action.
BEFORE_ACTION = Template('{% load i18n ticket_pages %}{% if form %}<details class="action-panel"{% if error_action == action %} open{% endif %}>\n<summary class="btn{% if action == \'cancel\' %} secondary quiet-danger{% elif action != \'resolve\' and action != \'locate\' %} secondary{% endif %}">{{ label }}</summary>\n<form method="post" action="{% url \'ticket-action\' ticket.pk action %}" class="card action-form" novalidate>{% csrf_token %}\n  {% if error_action == action %}{% include "tickets/_form_errors.html" %}{% endif %}\n  {% for field in form %}{% include "tickets/_field.html" %}{% endfor %}\n  <button type="submit" class="btn{% if action == \'cancel\' %} danger{% endif %}">{% blocktranslate %}确认{{ label }}{% endblocktranslate %}</button>\n</form></details>{% else %}<form method="post" action="{% url \'ticket-action\' ticket.pk action %}" class="inline">{% csrf_token %}<button type="submit" class="btn{% if action == \'close\' %}{% else %} secondary{% endif %}">{{ label }}</button></form>{% endif %}\n')
AFTER_ACTIONS = Template("{% load ticket_pages %}{% ticket_action_forms action_forms action_labels %}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_action_forms_read_as_the_template_wrote_them(users, new_ticket, language):
    from tickets.forms import AssignForm, CancelForm, LocateForm, PendForm, ResolveForm
    from tickets.services.transitions import TRANSITIONS

    ticket = new_ticket()
    with translation.override(language):
        labels = TRANSITIONS.labels()
        for error_action, refused in ((None, None), ("resolve", ResolveForm({"resolution": ""})),
                                      ("cancel", CancelForm({"reason": "x" * 5000}))):
            forms = {"locate": LocateForm(), "pend": PendForm(), "resolve": ResolveForm(), "assign": AssignForm(),
                     "comment": object(), "close": None, "acknowledge": None, "cancel": CancelForm(), "rate": object()}
            if refused is not None:
                forms[error_action] = refused
                assert not refused.is_valid()
            context = {"ticket": ticket, "error_action": error_action, "csrf_token": "t0ken<&>"}
            before = "".join(
                BEFORE_ACTION.render(Context({**context, "action": action, "form": form, "label": labels.get(action, "")}))
                for action, form in forms.items() if action not in ("comment", "attach", "rate"))
            after = AFTER_ACTIONS.render(Context({**context, "action_forms": forms, "action_labels": labels}))
            assert after == before
            assert after.count("<details") == 5 and after.count('class="inline"') == 2
            if refused is not None:
                assert '<details class="action-panel" open>' in after and 'role="alert"' in after

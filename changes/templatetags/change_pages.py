"""Presentation helpers of the change pages; the rules stay in changes.selectors."""

from django import template
from django.utils import timezone

from ..selectors import change_overrun

register = template.Library()


@register.filter
def overrun(change) -> bool:
    """In implementation after its approved window closed (changes.selectors.change_overrun)."""
    return change_overrun(change, now=timezone.now())

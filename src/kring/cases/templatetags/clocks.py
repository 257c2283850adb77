from django import template

register = template.Library()


@register.filter
def clock_text(clock) -> str:
    """'5 hours left', '2 days overdue', 'met' — for one norm clock (see `NormClock.text`)."""
    return clock.text

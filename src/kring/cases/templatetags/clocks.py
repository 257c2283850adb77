from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes >= 48 * 60:
        days = minutes // (24 * 60)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes >= 60:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


@register.filter
def clock_text(clock) -> str:
    """'5 hours left', '2 days overdue', 'met' — for one norm clock."""
    if clock.status == "running":
        return _("%(span)s left") % {"span": _span(clock.time_left)}
    if clock.status == "overdue":
        return _("%(span)s overdue") % {"span": _span(clock.time_left)}
    if clock.status == "late":
        return _("met, %(span)s late") % {"span": _span(clock.stopped_at - clock.deadline)}
    return str(clock.status_label)

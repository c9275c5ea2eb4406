"""Template tags for the curators' pages: the suspects check's status, the "rebuild needed"
banner and the queue counter."""

from django import template

from actors.models import ActorImage
from matching.selectors_index import rebuild_needed

from ..admin_jobs import latest_suspects_check
from ..models import Flag

register = template.Library()


@register.inclusion_tag("admin/moderation/suspects_status.html", takes_context=True)
def suspects_status(context):
    return {"check": latest_suspects_check(), "request": context.get("request")}


@register.inclusion_tag("admin/curation_banner.html", takes_context=True)
def rebuild_banner(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("matching.view_indexversion"):
        return {"changes": None}
    return {
        "changes": rebuild_needed(),
        "can_rebuild": user.has_perm("matching.rebuild_index"),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("admin/curation_counter.html", takes_context=True)
def curation_counter(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff:
        return {"show": False}
    return {
        "show": user.has_perm("moderation.view_flag"),
        "open_flags": Flag.objects.filter(status=Flag.Status.OPEN).count(),
        "to_review": ActorImage.objects.filter(status=ActorImage.Status.PENDING).count(),
    }

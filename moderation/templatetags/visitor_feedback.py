"""What this visitor has already said about the rows of a result, for the results page: the
page's own app sits below moderation, so the page asks for it here rather than in its view."""

from django import template

from common.visitor import visitor_key
from moderation.selectors_ratings import visitor_feedback

register = template.Library()


@register.simple_tag(takes_context=True)
def mark_visitor_feedback(context, match, face, rows) -> str:
    """Set `reported` (bool) and `rating` ("good", "bad" or "") on each row shown."""
    request = context.get("request")
    visitor = visitor_key(request) if request is not None else None
    reported, ratings = visitor_feedback(match, face, visitor)
    for row in rows:
        row.reported = row.reference_image_id in reported
        verdict = ratings.get(row.rank)
        row.rating = "" if verdict is None else ("good" if verdict else "bad")
    return ""

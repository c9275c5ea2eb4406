"""What a curator sends from the review page."""

from __future__ import annotations

import re

from django import forms

# decide=approve:12 (one photo), approve-selected (the ticked ones), approve-actor:5 (every
# photo of actor 5 that the page showed); the same with reject.
DECIDE = re.compile(
    r"^(?P<decision>approve|reject)(?::(?P<one>\d+)|-selected|-actor:(?P<actor>\d+))$"
)


class ReviewDecisionForm(forms.Form):
    decide = forms.RegexField(DECIDE, error_messages={"invalid": "Unknown decision."})

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.image_ids: list[int] = []

    def clean(self):
        cleaned = super().clean()
        found = DECIDE.match(cleaned.get("decide") or "")
        if not found:
            return cleaned
        cleaned["decision"] = found["decision"]
        if found["one"]:
            ids = [found["one"]]
        elif found["actor"]:
            # Only the photos the curator saw: not any that arrived after the page was drawn.
            ids = self.data.getlist(f"shown-{found['actor']}")
        else:
            ids = self.data.getlist("image")
        if not ids:
            raise forms.ValidationError("No photo was selected.")
        if not all(value.isdigit() for value in ids):
            raise forms.ValidationError("A photo id is not a number.")
        self.image_ids = [int(value) for value in ids]
        return cleaned

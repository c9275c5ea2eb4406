from django import forms

from face_engine.errors import FORMATS
from matching.examples import EXAMPLES

# What the face engine reads: JPEG, PNG, WebP and HEIC/HEIF. The extensions are for browsers that
# know no media type for HEIC files.
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
NOTHING_CHOSEN = f"Choose a photo ({FORMATS}), or try one of the examples."


class UploadForm(forms.Form):
    # A FileField, not an ImageField: the face engine does the (safer, bounded) decoding. The page
    # has two inputs of this name, "Take a selfie" (camera) and "Choose a photo" (library).
    photo = forms.FileField(required=False)
    example = forms.ChoiceField(choices=[(e.slug, e.name) for e in EXAMPLES], required=False)
    share_face = forms.BooleanField(
        required=False, label="Show my face to people I share the link with"
    )
    # One per page shown: a second post of the same photo or example with it (a double click or
    # tap) gets the first one's result instead of a second result.
    submit_token = forms.CharField(required=False, max_length=64)

    def clean(self):
        data = super().clean()
        if not data.get("photo") and not data.get("example"):
            raise forms.ValidationError(NOTHING_CHOSEN, code="nothing_chosen")
        return data

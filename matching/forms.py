from django import forms

from matching.examples import EXAMPLES

# What the face engine reads: JPEG, PNG, WebP and HEIC/HEIF. The extensions are for browsers that
# know no media type for HEIC files.
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


class UploadForm(forms.Form):
    # A FileField, not an ImageField: the face engine does the (safer, bounded) decoding.
    photo = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_TYPES, "capture": "user"}),
    )
    example = forms.ChoiceField(choices=[(e.slug, e.name) for e in EXAMPLES], required=False)
    share_face = forms.BooleanField(
        required=False, label="Show my face on the picture shown when I share the result"
    )

    def clean(self):
        data = super().clean()
        if not data.get("photo") and not data.get("example"):
            raise forms.ValidationError("Choose a photo, or try one of the examples.")
        return data

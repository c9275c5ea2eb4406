"""Typed failures of the face engine, each with a message a visitor can read."""

# The formats the site takes, named in every message about a file it cannot use.
FORMATS = "JPEG, PNG, WebP or HEIC"


class FaceEngineError(Exception):
    """Base class: `code` is stable for programs, `message` is for people."""

    code = "face_engine_error"
    default_message = "The photo could not be processed."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotAnImage(FaceEngineError):
    code = "not_an_image"
    default_message = f"This file is not an image we can read. Please upload a {FORMATS} photo."


class AnimatedImage(NotAnImage):
    code = "animated_image"
    default_message = f"Animated images can't be matched. Please upload a still {FORMATS} photo."


class DamagedImage(NotAnImage):
    code = "damaged_image"
    default_message = (
        f"This image is damaged or incomplete. Please try another copy of the photo ({FORMATS})."
    )


class ImageTooLarge(FaceEngineError):
    code = "too_large"
    default_message = (
        f"This image is too large to process. Please upload a smaller {FORMATS} photo."
    )


class NoFaceFound(FaceEngineError):
    code = "no_face"
    default_message = (
        "We could not find a face in this photo. "
        "Try a photo where the face is clearly visible and upright."
    )

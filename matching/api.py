"""The public JSON API, v1. Thin: check input, call a service or selector, shape the answer."""

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from actors.models import Actor, ActorImage
from common.throttles import (
    AccountUploadThrottle,
    AnonymousApiUploadThrottle,
    LoginAddressThrottle,
    LoginUsernameThrottle,
    UploadThrottle,
    throttles_count,
)
from matching.api_errors import ErrorSerializer
from matching.models import Match, face_result
from matching.selectors import visible_match
from matching.services import UploadRejected, match_create
from matching.services.upload import upload_too_large_message


class Rejected(APIException):
    def __init__(self, code: str, message: str, http_status: int):
        super().__init__(detail=message, code=code)
        self.status_code = http_status


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


# Answers any endpoint may give, besides its own.
BAD_TOKEN = {401: error("The `Authorization: Token` header names no valid token")}
BODY_REFUSED = {
    403: error("Logged in through the site's session cookie, without its CSRF token"),
    413: error("The request body or one of its fields is over the size limit"),
    415: error("The body is not in one of the content types listed"),
}


class TrueOrFalseField(serializers.BooleanField):
    """`true` or `false` (any case), as the schema's boolean says: not 1, 0, on, yes, ..."""

    TRUE_VALUES = {True, "true", "True", "TRUE"}
    FALSE_VALUES = {False, "false", "False", "FALSE"}


class MatchUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="The photo: JPEG, PNG, WebP or HEIC.")
    share_face = TrueOrFalseField(
        default=False, help_text="Show the visitor's face on the share picture."
    )


class ActorResultSerializer(serializers.Serializer):
    actor = serializers.CharField()
    distance = serializers.FloatField()
    similarity = serializers.FloatField()
    closest_image = serializers.IntegerField()


class FaceSerializer(serializers.Serializer):
    box = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=4,
        max_length=4,
        help_text="top, right, bottom, left, in the photo's pixels as displayed",
    )
    matches = ActorResultSerializer(many=True, help_text="Best first.")
    share_image = serializers.URLField(
        allow_null=True, help_text="This face's share picture, 1200x630 JPEG."
    )
    story_image = serializers.URLField(
        allow_null=True, help_text="This face's story picture, 1080x1920 JPEG."
    )


class MatchSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    faces = serializers.SerializerMethodField()
    faces_found = serializers.IntegerField(read_only=True)

    class Meta:
        model = Match
        fields = [
            "token",
            "url",
            "page_url",
            "status",
            "visibility",
            "expires_at",
            "error",
            "faces_found",
            "faces",
        ]

    def get_url(self, match) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/matches/{match.token}/")

    def get_page_url(self, match) -> str:
        return self.context["request"].build_absolute_uri(match.get_absolute_url())

    def get_error(self, match) -> dict | None:
        if match.expired_at:
            return {"code": "expired", "message": "This result has expired and was deleted."}
        if match.status != Match.Status.FAILED:
            return None
        return {"code": match.error_code, "message": match.error_message}

    @extend_schema_field(FaceSerializer(many=True))
    def get_faces(self, match) -> list[dict]:
        faces = match.faces.order_by("position").prefetch_related("resemblances")
        return [
            {
                **face_result(face.box, [r.as_dict() for r in face.resemblances.all()]),
                **self._pictures(match, face),
            }
            for face in faces
        ]

    def _pictures(self, match, face) -> dict:
        """The face's share and story pictures' addresses (null when it has none)."""
        request = self.context["request"]
        pictures = {
            "share_image": face.share_image or (match.share_image if face.position == 0 else None),
            "story_image": face.story_image,
        }
        kinds = {"share_image": "match-face-share", "story_image": "match-face-story"}
        return {
            key: request.build_absolute_uri(reverse(kinds[key], args=[match.token, face.position]))
            if picture
            else None
            for key, picture in pictures.items()
        }


class MatchListCreate(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadThrottle, AccountUploadThrottle, AnonymousApiUploadThrottle]

    @extend_schema(
        request={"multipart/form-data": MatchUploadSerializer},
        responses={
            202: MatchSerializer,
            400: error(
                "Not an image of an accepted format, damaged, animated, no file, or a field "
                "invalid; or too many fields or files"
            ),
            **BAD_TOKEN,
            **BODY_REFUSED,
            413: error("Over the size or pixel limit"),
            429: error("Too many uploads; retry after `retry_after` seconds"),
        },
    )
    def post(self, request):
        upload = MatchUploadSerializer(data=request.data)
        if not upload.is_valid():
            raise ValidationError(upload.errors)
        image = upload.validated_data["image"]
        if image.size > settings.LOOKALIKE_UPLOAD_MAX_BYTES:
            raise Rejected("too_large", upload_too_large_message(), 413)
        owner = request.user if request.user.is_authenticated else None
        try:
            match = match_create(
                data=image.read(), share_face=upload.validated_data["share_face"], owner=owner
            )
        except UploadRejected as exc:
            raise Rejected(exc.code, exc.message, exc.http_status) from exc
        # Only accepted uploads count against the limits: a refused one costs the client nothing.
        throttles_count(request, self.throttle_classes)
        body = MatchSerializer(match, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class MatchDetail(APIView):
    @extend_schema(
        responses={
            200: MatchSerializer,
            **BAD_TOKEN,
            404: error("No such match, or a private one of another account"),
        }
    )
    def get(self, request, token: str):
        match = visible_match(request, token)
        return Response(MatchSerializer(match, context={"request": request}).data)


class ActorSerializer(serializers.ModelSerializer):
    image_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Actor
        fields = ["id", "name", "slug", "imdb_id", "profession", "image_count"]


@extend_schema_view(
    get=extend_schema(
        responses={
            200: ActorSerializer(many=True),
            **BAD_TOKEN,
            404: error("No such page (pages count from 1)"),
        }
    )
)
class ActorList(generics.ListAPIView):
    serializer_class = ActorSerializer
    search_fields = ["name"]

    def get_queryset(self):
        active = Q(images__status=ActorImage.Status.ACTIVE)
        return Actor.objects.annotate(image_count=Count("images", filter=active)).order_by("name")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")


@extend_schema_view(
    post=extend_schema(
        responses={
            200: TokenSerializer,
            400: error("Wrong user name or password, or one missing"),
            **BAD_TOKEN,
            **BODY_REFUSED,
            429: error("Too many attempts; retry after `retry_after` seconds"),
        }
    )
)
class TokenObtain(ObtainAuthToken):
    """POST username and password, get the account's API token; limited like the login page."""

    throttle_classes = [LoginAddressThrottle, LoginUsernameThrottle]

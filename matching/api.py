"""The public JSON API, v1. Thin: check input, call a service or selector, shape the answer."""

from django.conf import settings
from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
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
)
from matching.models import Match, face_result
from matching.selectors import visible_match
from matching.services import UploadRejected, match_create
from matching.services.upload import upload_too_large_message


class Rejected(APIException):
    def __init__(self, code: str, message: str, http_status: int):
        super().__init__(detail=message, code=code)
        self.status_code = http_status


class MatchUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="The photo: JPEG, PNG, WebP or HEIC.")
    share_face = serializers.BooleanField(default=False)


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

    def get_faces(self, match) -> list[dict]:
        faces = match.faces.order_by("position").prefetch_related("resemblances")
        return [
            face_result(face.box, [r.as_dict() for r in face.resemblances.all()]) for face in faces
        ]


class MatchListCreate(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadThrottle, AccountUploadThrottle, AnonymousApiUploadThrottle]

    @extend_schema(
        request=MatchUploadSerializer,
        responses={
            202: MatchSerializer,
            400: OpenApiResponse(description="Not an image, damaged, animated, or no file"),
            413: OpenApiResponse(description="Over the size or pixel limit"),
            429: OpenApiResponse(description="Too many uploads; retry later"),
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
        body = MatchSerializer(match, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class MatchDetail(APIView):
    @extend_schema(
        responses={200: MatchSerializer, 404: OpenApiResponse(description="No such match")}
    )
    def get(self, request, token: str):
        match = visible_match(request, token)
        return Response(MatchSerializer(match, context={"request": request}).data)


class ActorSerializer(serializers.ModelSerializer):
    image_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Actor
        fields = ["id", "name", "slug", "imdb_id", "profession", "image_count"]


class ActorList(generics.ListAPIView):
    serializer_class = ActorSerializer
    search_fields = ["name"]

    def get_queryset(self):
        active = Q(images__status=ActorImage.Status.ACTIVE)
        return Actor.objects.annotate(image_count=Count("images", filter=active)).order_by("name")


class TokenObtain(ObtainAuthToken):
    """POST username and password, get the account's API token; limited like the login page."""

    throttle_classes = [LoginAddressThrottle, LoginUsernameThrottle]

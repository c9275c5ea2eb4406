from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from matching import api

urlpatterns = [
    path("v1/matches/", api.MatchListCreate.as_view(), name="api-matches"),
    path("v1/matches/<str:token>/", api.MatchDetail.as_view(), name="api-match"),
    path("v1/actors/", api.ActorList.as_view(), name="api-actors"),
    path("v1/auth/token/", api.TokenObtain.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

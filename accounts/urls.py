from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import PasswordChangeForm, SetPasswordForm

form = "accounts/form.html"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.account, name="account"),
    path("delete/", views.account_remove, name="account-delete"),
    path("matches/", views.my_matches, name="my-matches"),
    path("matches/<str:token>/visibility/", views.match_visibility, name="match-visibility"),
    path("matches/<str:token>/delete/", views.match_remove, name="match-delete"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name=form,
            form_class=PasswordChangeForm,
            extra_context={"title": "Change your password", "submit": "Change password"},
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name=form,
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            extra_context={"title": "Reset your password", "submit": "Send the link"},
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=form,
            form_class=SetPasswordForm,
            extra_context={"title": "Choose a new password", "submit": "Set password"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/done.html"),
        name="password_reset_complete",
    ),
]

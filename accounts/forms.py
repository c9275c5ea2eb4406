from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User


class PasswordRulesOnNewPassword:
    """The password rules' errors ("too short", "too common") go under the new password
    itself, where its rules are shown; only a mismatch goes under the confirmation."""

    new_password_field = "password1"

    def validate_password_for_user(self, user, *args, **kwargs):
        super().validate_password_for_user(user, password_field_name=self.new_password_field)


class SignupForm(PasswordRulesOnNewPassword, UserCreationForm):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Only to reset your password if you forget it.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class PasswordChangeForm(PasswordRulesOnNewPassword, auth_forms.PasswordChangeForm):
    new_password_field = "new_password1"


class SetPasswordForm(PasswordRulesOnNewPassword, auth_forms.SetPasswordForm):
    new_password_field = "new_password1"


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, to confirm it is you.",
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password

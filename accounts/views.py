from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import AccountDeleteForm, SignupForm
from accounts.selectors import claimable_uploads_count, results_count
from accounts.services import account_create, account_delete
from common.http import redirect_back, too_many_requests
from common.session_uploads import forget_session_uploads, session_uploads
from common.throttles import LoginAddressThrottle, LoginUsernameThrottle, throttled_wait
from matching.models import Match
from matching.selectors import matches_of
from matching.services import match_delete, match_set_visibility, matches_claim


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = account_create(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            upload_tokens=session_uploads(request),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        forget_session_uploads(request)
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("my-matches")
    earlier_uploads = claimable_uploads_count(session_uploads(request))
    return render(
        request, "accounts/signup.html", {"form": form, "earlier_uploads": earlier_uploads}
    )


class LoginView(auth_views.LoginView):
    """Django's login, limited per address and per username, keeping the session's uploads."""

    def post(self, request, *args, **kwargs):
        wait = throttled_wait(request, [LoginAddressThrottle, LoginUsernameThrottle])
        if wait:
            return too_many_requests(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        tokens = session_uploads(self.request)
        response = super().form_valid(form)
        matches_claim(form.get_user(), tokens)
        forget_session_uploads(self.request)
        return response


@login_required
def my_matches(request):
    page = Paginator(matches_of(request.user), 10).get_page(request.GET.get("page"))
    return render(request, "accounts/my_matches.html", {"page": page})


VISIBILITY_MESSAGES = {
    Match.Visibility.PRIVATE: "That result is now private: only you can see it.",
    Match.Visibility.UNLISTED: "Anyone with the link can now see that result.",
}


def _own_match(request, token: str) -> Match:
    match = get_object_or_404(Match, token=token)
    if match.owner_id != request.user.pk:
        raise Http404("No such result.")
    return match


@login_required
@require_POST
def match_visibility(request, token: str):
    match = _own_match(request, token)
    visibility = request.POST.get("visibility")
    if visibility not in Match.Visibility.values:
        return render(request, "400.html", status=400)
    match_set_visibility(match, visibility)
    messages.success(request, VISIBILITY_MESSAGES[visibility])
    return redirect_back(request, "my-matches")


@login_required
@require_POST
def match_remove(request, token: str):
    deleted = match_delete(_own_match(request, token))
    messages.success(request, f"Deleted {deleted.describe()}.")
    return redirect("my-matches")


@login_required
def account(request):
    return render(request, "accounts/account.html", {"results": results_count(request.user)})


@login_required
def account_remove(request):
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = request.user.username
        deleted = account_delete(request.user)
        logout(request)
        return render(request, "accounts/deleted.html", {"deleted": deleted, "username": username})
    context = {"form": form, "results": results_count(request.user)}
    return render(request, "accounts/delete.html", context)

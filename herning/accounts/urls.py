from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from herning.accounts import otp_views, views
from herning.accounts.middleware import two_factor_exempt

app_name = "accounts"

urlpatterns = [
    path("", views.start, name="start"),
    path(
        "log-ind/",
        two_factor_exempt(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                redirect_authenticated_user=True,
                extra_context={"single_sign_on": settings.OIDC_ENABLED},
            )
        ),
        name="login",
    ),
    path("log-ud/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("to-faktor/", otp_views.otp_verify, name="otp_verify"),
    path("to-faktor/opsaet/", otp_views.otp_setup, name="otp_setup"),
    path("to-faktor/reservekoder/", otp_views.backup_codes, name="backup_codes"),
    path(
        "glemt-adgangskode/",
        two_factor_exempt(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset_form.html",
                email_template_name="accounts/email/password_reset.txt",
                html_email_template_name="accounts/email/password_reset.html",
                subject_template_name="accounts/email/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "glemt-adgangskode/sendt/",
        two_factor_exempt(
            auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
        ),
        name="password_reset_done",
    ),
    path(
        "nulstil/<uidb64>/<token>/",
        two_factor_exempt(
            views.PasswordResetConfirmView.as_view(
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "nulstil/faerdig/",
        two_factor_exempt(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
]

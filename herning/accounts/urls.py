from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from evaluation import views as evaluation_views
from herning.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.start, name="start"),
    path(
        "log-ind/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "glemt-adgangskode/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/email/password_reset.txt",
            html_email_template_name="accounts/email/password_reset.html",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "glemt-adgangskode/sendt/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "nulstil/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "nulstil/faerdig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

start_patterns = (
    [
        path("min-dag/", views.my_day, name="my_day"),
        path("team/", views.team, name="team"),
        path("vagt/", views.duty, name="duty"),
        path("underretninger/", views.intake, name="intake"),
        path("mine-sager/", views.my_cases, name="my_cases"),
        path("ledelse/", evaluation_views.management_page, name="management"),
        path("ingen-rolle/", views.no_role, name="no_role"),
    ],
    "start",
)

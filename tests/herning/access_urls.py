"""The project's URLs plus a tiny case page, standing in for the case pages another issue builds,
so that reaching another team's case by id can be tested here (404, never 403)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from cases.models import Case
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from herning.urls import urlpatterns as project_urlpatterns


@login_required
def case_page(request, pk):
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("child"), pk=pk)
    log_child_read(
        user=request.user,
        child=case.child,
        case=case,
        channel=AccessLog.Channel.PAGE,
        purpose="Sagsbehandling",
    )
    return HttpResponse(case.child.full_name)


urlpatterns = [*project_urlpatterns, path("test/sag/<int:pk>/", case_page, name="test_case_page")]

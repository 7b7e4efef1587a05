"""Error reports (the 500 page with DEBUG on, e-mails to administrators, anything reading Django's
report) never carry a CPR number."""

from __future__ import annotations

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from herning.core.logging import mask_cpr


class CprSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: every POST value shaped like a CPR number is masked, whether or not
    the view remembered ``sensitive_post_parameters``. Active with DEBUG on as well: development
    data may be real data copied in by mistake."""

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if not params:
            return params
        masked = params.copy()
        for key, values in params.lists():
            masked.setlist(key, [mask_cpr(v) if isinstance(v, str) else v for v in values])
        return masked


class CprSafeExceptionReporter(ExceptionReporter):
    """Masks the finished report, so the exception message, local variables, headers and settings
    are covered too, whatever they hold."""

    def get_traceback_html(self):
        return mask_cpr(super().get_traceback_html())

    def get_traceback_text(self):
        return mask_cpr(super().get_traceback_text())

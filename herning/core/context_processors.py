from herning.accounts.services import is_two_factor_verified
from herning.core.navigation import menu_for


def navigation(request):
    """The main menu, and whether the person is signed in with both factors.

    Between the password and the second factor the person is only half signed in: the pages then
    show no menu and no reminders (which name children's deadlines), only the way out.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_two_factor_verified(request):
        return {"menu": [], "signed_in": False}
    return {"menu": menu_for(user, request.path), "signed_in": True}

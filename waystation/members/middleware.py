from django.utils.functional import SimpleLazyObject

SESSION_KEY = "member_id"


def _member(request):
    from .models import Member

    member_id = request.session.get(SESSION_KEY)
    if not member_id:
        return None
    return Member.objects.filter(pk=member_id).select_related("union").first()


class MemberSessionMiddleware:
    """Puts the signed-in member (phone + SMS code sign-in) on request.member, or None."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.member = SimpleLazyObject(lambda: _member(request))
        return self.get_response(request)

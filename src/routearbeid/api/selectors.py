from django.db.models import QuerySet

from routearbeid.organisations.actors import as_actor

from .models import ApiToken


def my_api_tokens(*, actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=as_actor(actor).user).order_by("-created_at")

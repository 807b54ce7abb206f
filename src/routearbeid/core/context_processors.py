from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import Role


def worklist(request):
    """The count beside "Worklist" in the navigation (four count queries, only when logged in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/beheer/"):
        return {}
    from routearbeid.aftercare.selectors import worklist_counts

    actor = actor_for(user)
    return {
        "worklist_counts": worklist_counts(actor),
        "may_see_employers": actor.works_on_cases,
        "may_see_youth": actor.works_on_meetings,
        # R-RMC-1: the monitoring list of the RMC's own region
        "may_see_monitoring": actor.has_role(Role.RMC_OFFICER),
        "may_see_privacy": actor.has_role(Role.PRIVACY_OFFICER),
    }

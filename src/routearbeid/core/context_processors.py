from routearbeid.organisations.actors import actor_for
from routearbeid.organisations.constants import Role


def worklist(request):
    """The count beside "Worklist" in the navigation, only when logged in.

    At most four COUNT queries, each starting from the few candidate rows of one section (the
    open signals of the actor's organisations, the open check-ins of its schools, …) and checking
    visibility on those rows only, so their cost does not grow with the number of cases. They are
    not cached: a cached badge would lag behind other people's writes (a new signal, a request to
    take part) and, with one cache per server process, even behind the user's own. The worklist
    page counts its sections anyway and leaves them on the request; those are used here."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/beheer/"):
        return {}
    from routearbeid.aftercare.selectors import worklist_counts

    actor = actor_for(user)
    return {
        "worklist_counts": getattr(request, "worklist_counts", None) or worklist_counts(actor),
        "may_see_employers": actor.works_on_cases,
        "may_see_youth": actor.works_on_meetings,
        # R-RMC-1: the monitoring list of the RMC's own region
        "may_see_monitoring": actor.has_role(Role.RMC_OFFICER),
        "may_see_privacy": actor.has_role(Role.PRIVACY_OFFICER),
    }

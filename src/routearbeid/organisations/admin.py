"""Django admin: for functional administrators only (organisations, users, settings); no case data.

A functional administrator works for one or more organisations and sees only those: their own
organisations, the people with a membership there, and their own region's settings. Only a
superuser (the platform's operator) sees everything.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .constants import Role
from .forms import MembershipFormSet, OrganisationUserCreationForm
from .models import Membership, Organisation, Region, User

admin.site.site_header = gettext_lazy("Route Arbeid – administration")
admin.site.site_title = gettext_lazy("Route Arbeid – administration")
admin.site.index_title = gettext_lazy("Organisations, users and settings")


def administered_organisation_ids(request: HttpRequest) -> set[int] | None:
    """The organisations this administrator may manage; None means all (a superuser)."""
    user = request.user
    if user.is_superuser:
        return None
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=Role.FUNCTIONAL_ADMIN).values_list(
            "organisation_id", flat=True
        )
    )


def may_change_user(request: HttpRequest, person: User) -> bool:
    """Whether this administrator may change this person (name, password, active).

    An organisation's administrator may change only someone whose every right they could have
    given themselves: no staff member or superuser (those rights are the platform operator's),
    and no one with a membership elsewhere (a new password would open the other organisation).
    """
    own = administered_organisation_ids(request)
    if own is None:
        return True
    if person.is_staff or person.is_superuser:
        return False
    memberships = person.memberships.all()
    return memberships.exists() and not memberships.exclude(organisation_id__in=own).exists()


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.membership_required = administered_organisation_ids(request) is not None
        return formset

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        own = administered_organisation_ids(request)
        return qs if own is None else qs.filter(organisation_id__in=own)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            own = administered_organisation_ids(request)
            if own is not None:
                kwargs["queryset"] = Organisation.objects.filter(pk__in=own)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class RouteUserAdmin(UserAdmin):
    """People: a superuser sees Django's full user admin; an organisation's administrator adds and
    changes the people of their organisations, but never staff status, superuser status, groups
    or permissions (no one can raise themself or anyone else above their organisation)."""

    inlines = [MembershipInline]
    organisation_add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    )
    organisation_fieldsets = (
        (None, {"fields": ("username", "password", "is_active")}),
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.organisation_add_fieldsets if obj is None else self.organisation_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and not request.user.is_superuser:
            # Passwords typed twice and checked by AUTH_PASSWORD_VALIDATORS; not Django's option
            # of an unusable password: there is no reset by e-mail, so nobody could log in.
            kwargs["form"] = OrganisationUserCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ("is_active",)

    def has_add_permission(self, request) -> bool:
        # Whoever an organisation's administrator adds gets a membership with it (the formset
        # requires one), so they need the right to give memberships too.
        return super().has_add_permission(request) and (
            request.user.is_superuser or request.user.has_perm("organisations.add_membership")
        )

    def has_change_permission(self, request, obj=None) -> bool:
        # Also guards the password page (UserAdmin.user_change_password asks with the person).
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_change_user(request, obj)

    def get_queryset(self, request) -> QuerySet[User]:
        qs = super().get_queryset(request)
        own = administered_organisation_ids(request)
        if own is None:
            return qs
        return qs.filter(memberships__organisation_id__in=own).distinct()


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "aftercare_years", "checkins_per_year", "rmc_age_limit"]

    def get_queryset(self, request) -> QuerySet[Region]:
        qs = super().get_queryset(request)
        own = administered_organisation_ids(request)
        return qs if own is None else qs.filter(organisations__id__in=own).distinct()

    def has_change_permission(self, request, obj=None) -> bool:
        # The region's settings (aftercare, retention, …) hold for every organisation in it: an
        # organisation's administrator reads them; only the platform's operator changes them.
        return request.user.is_superuser

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "rmc_age_limit" in form.changed_data:
            # R-RMC-1: the monitoring of the region's youth after outflow ends at the new limit;
            # up to ~100,000 cases, so in the background once the new limit is saved.
            from routearbeid.route.tasks import monitoring_ends_follow_region

            region_id = obj.pk
            transaction.on_commit(lambda: monitoring_ends_follow_region.enqueue(region_id))
            messages.info(
                request,
                _(
                    "The RMC monitoring of this region's youth who have left school now ends at "
                    "the age of %(limit)s; their cases are being updated in the background."
                )
                % {"limit": obj.rmc_age_limit},
            )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "municipality"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]

    def get_queryset(self, request) -> QuerySet[Organisation]:
        qs = super().get_queryset(request)
        own = administered_organisation_ids(request)
        return qs if own is None else qs.filter(pk__in=own)

    def get_readonly_fields(self, request, obj=None):
        # An administrator may rename their organisation, not move it to another region, kind or
        # municipality (Leerplicht's municipality decides which youth its officers see).
        if request.user.is_superuser:
            return ()
        return ("region", "kind", "municipality")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "region" in form.changed_data:
            # a school's cases and the partners' links to them keep the school's region (issue
            # #7; an organisation without students has none)
            from routearbeid.route.services import keep_link_regions

            keep_link_regions(school_id=obj.pk)

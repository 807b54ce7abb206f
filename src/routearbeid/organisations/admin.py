"""Django admin: for functional administrators only (organisations, users, settings); no case data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Membership, Organisation, Region, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class RouteUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "aftercare_years", "checkins_per_year", "rmc_age_limit"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "municipality"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]

"""State changes of the company settings, roles and users, API tokens and failed logins."""

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from comptoir.core import audit
from comptoir.core.identifiers import (
    compact_iban,
    compact_platform_id,
    compact_siren,
    compact_siret,
    compact_vat_id,
)
from comptoir.core.models import ApiToken, Company, LoginFailure
from comptoir.core.validation import full_clean_or_raise

COMPANY_FIELDS = {f.name for f in Company._meta.get_fields() if f.concrete and f.name != "id"}


def update_company(**fields) -> Company:
    with transaction.atomic():
        company = Company.get()
        company = Company.objects.select_for_update().get(pk=company.pk)
        for name, value in fields.items():
            if name in COMPANY_FIELDS:
                setattr(company, name, value)
        company.siren = compact_siren(company.siren)
        company.siret = compact_siret(company.siret)
        company.vat_id = compact_vat_id(company.vat_id).upper()
        company.iban = compact_iban(company.iban)
        company.platform_id = compact_platform_id(company.platform_id)
        full_clean_or_raise(company)
        company.save()
        return company


def create_token(user, name: str = "api", expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; the clear key is returned once and only its hash is stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:10], key_hash=ApiToken.hash(key), expires_at=expires_at
    )
    return token, key


def revoke_token(token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def save_message_template(kind: str, subject: str, body: str):
    """The e-mail template of a kind of document (created the first time it is edited)."""
    from comptoir.core.models import MessageTemplate

    with transaction.atomic():
        template = MessageTemplate.objects.select_for_update().filter(kind=kind).first()
        template = template or MessageTemplate(kind=kind)
        template.subject, template.body = subject, body
        full_clean_or_raise(template)
        template.save()
        return template


# Logins -----------------------------------------------------------------------------------------


def login_wait_minutes(username: str, address: str) -> int:
    """How long this user name must wait before trying again from this address (0: it may)."""
    from django.conf import settings

    window = timezone.now() - dt.timedelta(minutes=settings.COMPTOIR_LOGIN_WAIT_MINUTES)
    recent = list(
        LoginFailure.objects.filter(username=username, address=address, at__gt=window)
        .order_by("-at")
        .values_list("at", flat=True)[: settings.COMPTOIR_LOGIN_FAILURES]
    )
    if len(recent) < settings.COMPTOIR_LOGIN_FAILURES:
        return 0
    left = recent[-1] - window  # the oldest counted failure leaves the window then
    return max(1, math.ceil(left.total_seconds() / 60))


def record_login_failure(username: str, address: str) -> None:
    from django.conf import settings

    with transaction.atomic():
        LoginFailure.objects.create(username=username[:150], address=address[:45])
        stale = timezone.now() - dt.timedelta(minutes=settings.COMPTOIR_LOGIN_WAIT_MINUTES)
        LoginFailure.objects.filter(at__lt=stale).delete()


def forget_login_failures(username: str, address: str) -> None:
    LoginFailure.objects.filter(username=username, address=address).delete()


# Roles and users ----------------------------------------------------------------------------------


def install_roles(*, reset: bool = False) -> list:
    """Create the shipped roles that do not exist yet, with their permissions; with ``reset``
    give every shipped role its shipped permissions again (an administrator's changes go)."""
    from django.contrib.auth.models import Group

    from comptoir.core.roles import ROLES, role_permissions

    groups = []
    with transaction.atomic():
        for role in ROLES:
            group, created = Group.objects.get_or_create(name=role.name)
            if created or reset:
                group.permissions.set(role_permissions(role))
            groups.append(group)
    return groups


def create_user(username: str, password: str, role_names: list[str]):
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        user = get_user_model().objects.create_user(username, password=password)
        return set_user_roles(user, role_names)


def set_user_roles(user, role_names: list[str], *, is_active: bool | None = None):
    """Give a user exactly these roles; an administrator also reaches the admin site."""
    from django.contrib.auth.models import Group

    from comptoir.core.roles import ADMINISTRATOR

    with transaction.atomic():
        before = sorted(user.groups.values_list("name", flat=True)) if user.pk else []
        groups = list(Group.objects.filter(name__in=role_names))
        user.groups.set(groups)
        after = sorted(group.name for group in groups)
        if before != after:
            audit.record([user], "roles", changes={"roles": [before, after]})
        user.is_staff = ADMINISTRATOR in role_names or user.is_superuser
        if is_active is not None:
            user.is_active = is_active
        user.save(update_fields=["is_staff", "is_active"])
    return user

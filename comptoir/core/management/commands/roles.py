from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.roles import BY_NAME, ROLES
from comptoir.core.services import install_roles, set_user_roles


class Command(BaseCommand):
    help = (
        "List the roles and who holds them; --reset gives the shipped roles their shipped "
        "permissions again; --user NAME --role ROLE… gives a user exactly these roles."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true")
        parser.add_argument("--user")
        parser.add_argument("--role", action="append", default=[], choices=sorted(BY_NAME))

    def handle(self, *args, reset=False, user=None, role=(), **options):
        if role and not user:
            raise CommandError("--role needs --user.", returncode=2)
        groups = {group.name: group for group in install_roles(reset=reset)}
        if user:
            person = get_user_model().objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"No user named {user!r}.", returncode=2)
            set_user_roles(person, list(role))
        for shipped in ROLES:
            group = groups[shipped.name]
            holders = ", ".join(
                group.user_set.order_by("username").values_list("username", flat=True)
            )
            count = group.permissions.count()
            self.stdout.write(f"{shipped.name:<14} {count:>4} permissions  {holders or '—'}")

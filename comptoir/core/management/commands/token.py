from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from comptoir.core.services import create_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.", returncode=2)
        _token, key = create_token(user, name)
        self.stdout.write(key)

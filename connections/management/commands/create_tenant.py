"""`python manage.py create_tenant NAME --username U --password P`: a tenant with a manager.

Prints the manager's API token (one line on stdout, for `Authorization: Token KEY`). A new
user is created; an existing user is attached as the tenant's manager and gets the password.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from connections.services import tenant_create


class Command(BaseCommand):
    help = "Create a tenant with a manager user and print that user's API token."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the tenant's (merchant's) name")
        parser.add_argument("--username", required=True, help="the manager's user name")
        parser.add_argument("--password", required=True, help="the manager's password")

    def handle(self, *args, name, username, password, **options):
        existed = get_user_model().objects.filter(username=username.strip()).exists()
        try:
            tenant, token = tenant_create(name=name, username=username, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        who = "existing user" if existed else "new user"
        self.stderr.write(
            f"Tenant '{tenant.name}' (id {tenant.pk}) created; {who} '{username.strip()}' is "
            "its manager. API token:"
        )
        self.stdout.write(token)

"""`python manage.py rotate_encryption_keys`: re-encrypt every stored secret (the stores' access
tokens) with the newest key of FIELD_ENCRYPTION_KEYS.

To rotate: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), restart,
run this command, then drop the old keys. Secrets that no key decrypts are counted: their
connections show "credentials need re-entry".
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from connections.fields import encrypted_fields_rotate
from connections.keys import derived_key


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the newest key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
        parser.add_argument(
            "--print-derived-key",
            action="store_true",
            help="only print the key derived from SECRET_KEY (the former default), to list it "
            "after the new key while its tokens are rotated",
        )

    def handle(self, *args, batch_size, print_derived_key, **options):
        if print_derived_key:
            self.stdout.write(derived_key(settings.SECRET_KEY))
            return
        unreadable_total = 0
        for count in encrypted_fields_rotate(batch_size=max(1, batch_size)):
            unreadable_total += count.unreadable
            self.stdout.write(
                f"{count.label}: {count.rotated} re-encrypted with the newest key, "
                f"{count.unreadable} not decryptable with any key."
            )
        if unreadable_total:
            self.stderr.write(
                f"{unreadable_total} secret(s) could not be decrypted: their keys are no longer "
                "in FIELD_ENCRYPTION_KEYS. Restore the old key and run this again, or enter those "
                "connections' access tokens again (they show 'credentials need re-entry')."
            )

"""Bounds and checks of user input shared by the connections' forms, serializers and filters,
so that bad input is refused with a message instead of failing in the database or driver."""

from django.core.validators import RegexValidator

#: PostgreSQL's integer and bigint (SQLite's INTEGER): a bigger value is refused on input.
MAX_INT = 2_147_483_647
MAX_BIGINT = 9_223_372_036_854_775_807

#: Tokens travel in an HTTP header, which carries printable ASCII only.
access_token_validator = RegexValidator(
    r"^[\x21-\x7e]+\Z",
    "An access token has only letters, digits and punctuation (no spaces or accented "
    "characters). Copy it again from the store's API account.",
)

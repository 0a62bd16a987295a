"""What a Product Match run needs to know about the product import: the connection's
`ProductImportSettings` (import mode, fields BigCommerce may overwrite) and, for Changed
Product Match, the overlap window of its own dataflow options."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .models import DEFAULT_IMPORT_MODE, DEFAULT_OVERWRITE_FIELDS, ProductImportSettings

DEFAULT_OVERLAP_S = 300
MAX_OVERLAP_S = 24 * 3600

MASTER_LABELS = {"sku": "SKU", "upc": "UPC", "mpn": "MPN"}


class OptionsError(ValueError):
    """A dataflow's options are not valid (the message says how to fix them)."""


@dataclass(frozen=True)
class MatchOptions:
    import_mode: str = DEFAULT_IMPORT_MODE
    overwrite_fields: tuple[str, ...] = tuple(DEFAULT_OVERWRITE_FIELDS)
    overlap_seconds: int = DEFAULT_OVERLAP_S

    @property
    def create_missing(self) -> bool:
        return self.import_mode in ("create_only", "create_and_overwrite")

    @property
    def overwrite(self) -> bool:
        return self.import_mode == "create_and_overwrite"


def overlap_seconds_parse(options: dict | None) -> int:
    """Changed Product Match's `overlap_seconds` option (its dataflow's options)."""
    options = options or {}
    if not isinstance(options, dict):
        raise OptionsError("The dataflow's options must be a JSON object.")
    overlap = options.get("overlap_seconds", DEFAULT_OVERLAP_S)
    if (
        isinstance(overlap, bool)
        or not isinstance(overlap, int)
        or not (0 <= overlap <= MAX_OVERLAP_S)
    ):
        raise OptionsError(f"overlap_seconds must be a whole number from 0 to {MAX_OVERLAP_S}.")
    return overlap


def match_options_build(
    *, settings: ProductImportSettings, overlap_seconds: int = DEFAULT_OVERLAP_S
) -> MatchOptions:
    try:
        settings.clean()  # rows saved before the checks existed, or written around them
    except ValidationError as exc:
        text = " ".join(m for messages in exc.message_dict.values() for m in messages)
        raise OptionsError(
            f"The product import settings are invalid: {text} Save them again on the "
            "connection's Catalog readiness tab (Product import)."
        ) from None
    return MatchOptions(
        import_mode=settings.import_mode,
        overwrite_fields=tuple(settings.overwrite_fields),
        overlap_seconds=overlap_seconds,
    )

"""The kinds of the listing flows (the engine knows them only through the registry)."""

PUBLISH_LISTINGS = "publish_listings"
SYNC_LISTINGS = "sync_listings"
LISTING_VISIBILITY = "listing_visibility"
DELIST_LISTINGS = "delist_listings"

LISTING_KINDS = (PUBLISH_LISTINGS, SYNC_LISTINGS, LISTING_VISIBILITY, DELIST_LISTINGS)

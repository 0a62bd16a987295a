"""Alerts: what went wrong on a connection, told once to the tenant's managers (e-mail) and to
the tenant's alert webhook, and told again when it clears.

The layers above raise and resolve conditions where they happen (``services.alert_raise`` /
``alert_resolve``); this package only records, throttles and delivers.
"""

"""Registry of connection drivers. BigCommerce is the only one so far."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Driver:
    code: str
    label: str


BIGCOMMERCE = Driver(code="bigcommerce", label="BigCommerce")

DRIVERS: dict[str, Driver] = {driver.code: driver for driver in (BIGCOMMERCE,)}


def driver_choices() -> list[tuple[str, str]]:
    return [(driver.code, driver.label) for driver in DRIVERS.values()]

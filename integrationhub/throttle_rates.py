"""The REST throttle rates read from the environment, checked at start-up (DRF would only
fail on the first request). Plain Python: the settings import it."""

PERIODS = {"s", "m", "h", "d", "second", "minute", "hour", "day"}


def rate_reader(env):
    """A reader for settings' `_read`: "<requests>/<second|minute|hour|day>" or ValueError."""

    def read(name, default):
        value = env.str(name, default=default)
        count, _, period = value.partition("/")
        if not count.isdigit() or period not in PERIODS:
            raise ValueError(f"{value!r} is not a rate like 2000/hour")
        return value

    return read

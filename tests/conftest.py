pytest_plugins = [
    "tests.fixtures.contract",
    "tests.fixtures.sandbox",
    "tests.fixtures.tenants",
]

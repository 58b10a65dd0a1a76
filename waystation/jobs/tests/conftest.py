import pytest


@pytest.fixture
def city(orgs):
    """The city the tests' jobs are for (the demo city loaded into every test database)."""
    return orgs["city"].city

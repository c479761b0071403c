"""The console's tests use the web faces' fixtures: a real HQ per backend (and a browser where needed)."""

import uuid

import pytest

from tests.web.conftest import (browser, page, pytest_collection_modifyitems, signed_in_page,  # noqa: F401
                                staff_user, web_hq)


@pytest.fixture
def store_id() -> str:
    return f"s-{uuid.uuid4().hex[:10]}"

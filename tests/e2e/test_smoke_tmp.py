import pytest
from tests.e2e.conftest import check_page, screenshot


@pytest.mark.slow
def test_login(browsing, org, shipped_data):
    page = browsing.as_user(org.advisor)
    print(page.url)
    screenshot(page, "tmp-start")
    try:
        check_page(page, "tmp-start")
    finally:
        print(browsing.problems)

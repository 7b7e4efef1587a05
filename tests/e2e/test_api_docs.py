"""Issue 18 point 8: the API's documentation page (Swagger UI at ``/api/docs/``) works in a browser
under the product's Content-Security-Policy, which lets scripts and styles come from our own
address only. Swagger UI's usual page starts itself with an inline script, which that policy
refuses: the page stayed empty. It is served in two requests now (the page, then its start script
from our own address), and every operation of the schema is shown.
"""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.slow

METHODS = {"get", "post", "put", "patch", "delete"}


def test_swagger_ui_shows_every_operation_under_the_csp(browsing, org, login):
    client = login(org.advisor)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operations = sum(1 for item in schema["paths"].values() for method in item if method in METHODS)
    assert operations >= 40  # the whole API, not a page of it

    page = browsing.as_user(org.advisor)
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == operations
    # An operation opens and can be tried (the button is Swagger UI's own, drawn by its script).
    page.locator(".opblock").first.locator(".opblock-summary").click()
    page.locator(".try-out__btn").first.wait_for()
    # Nothing was refused: neither a script, nor a style, nor anything else the page asked for.
    assert not browsing.problems, browsing.problems

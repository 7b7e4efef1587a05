"""How the API's own authentication appears in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "herning.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Et API-token til en servicebruger (siden /administration/api-tokens/ eller `python manage.py create_api_token`): `Authorization: Bearer <token>`.",
        }


ETAG_PROPERTY = {
    "type": "string",
    "readOnly": True,
    "description": (
        "The item's ETag, as a read of the item answers it in the `ETag` header: send it in "
        "`If-Match` to update the item without reading it again."
    ),
    "example": '"5f2c0e9b7d1a4c3e8f6a2b1d0c9e8f7a"',
}


def list_items_carry_etag(result, generator, request, public):
    """Postprocessing hook: the items of the lists of resources that put an ``etag`` on each item
    (``AuditedMixin.list``, ``with_etags``) show that field. The item's own component is left as
    it is, because a read of one record carries its ETag in the header, not in the body."""
    components = result.get("components", {}).get("schemas", {})
    for path, _regex, method, callback in generator.endpoints or ():
        view = getattr(callback, "cls", None)
        if method != "GET" or not getattr(view, "list_items_carry_etag", False):
            continue
        if getattr(callback, "actions", {}).get("get") != "list":
            continue
        operation = result["paths"].get(path, {}).get("get")
        if operation is None:
            continue
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        holder = schema["properties"]["results"] if schema.get("type") == "object" else schema
        item = holder["items"]
        if "allOf" not in item:
            holder["items"] = {
                "allOf": [
                    item,
                    {"type": "object", "properties": {"etag": ETAG_PROPERTY}, "required": ["etag"]},
                ]
            }
    return result

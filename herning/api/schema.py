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


# --- Errors, preconditions and retries -------------------------------------------------------

PROBLEM_SCHEMA = {
    "type": "object",
    "description": (
        "Problem details (RFC 9457), sent as `application/problem+json` for every error. Branch on "
        "`code` (stable); `title` and `detail` are in the request's language."
    ),
    "properties": {
        "type": {"type": "string", "description": "`about:blank`: the status and `code` say what it is."},
        "title": {"type": "string", "description": "The status in words, in the request's language."},
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "detail": {"type": "string", "description": "What happened, in the request's language."},
        "code": {
            "type": "string",
            "description": (
                "Stable: `invalid` (see `errors`), `not_authenticated`, `authentication_failed`, "
                "`permission_denied`, `two_factor_required`, `not_found`, `method_not_allowed`, "
                "`not_acceptable`, `unsupported_media_type`, `parse_error`, `idempotency_key_in_use`, "
                "`idempotency_key_reused`, `precondition_failed`, `precondition_required`, `throttled`, "
                "`cpr_in_query_string`, `dubu_import_refused`, `server_error`."
            ),
        },
        "errors": {
            "type": "array",
            "description": "One entry per refused field (empty when the request was refused as a whole).",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
    },
    "required": ["type", "title", "status", "detail", "code", "errors"],
}

PROBLEM_FIELD_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "field": {
            "type": "string",
            "nullable": True,
            "description": "The field (dotted when nested: `goals.0.what`); null: the request as a whole.",
        },
        "in": {"type": "string", "enum": ["body", "query", "header", "file"]},
        "pointer": {
            "type": "string",
            "description": "JSON Pointer (RFC 6901) into the body, e.g. `#/goals/0/what`.",
        },
        "row": {"type": "integer", "description": "For `in: file`: the row of the DUBU file (0: the file)."},
        "code": {"type": "string", "description": "Stable, e.g. `required`, `invalid`, `max_length`."},
        "message": {"type": "string", "description": "In the request's language."},
    },
    "required": ["field", "in", "code", "message"],
}

ETAG_HEADER = {
    "description": "The record's ETag: send it in `If-Match` to update it.",
    "schema": {"type": "string"},
}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "description": (
        "The `ETag` you read (or `*`, any version; or a comma-separated list). Without it the update "
        "answers 428; when the record changed since, 412."
    ),
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The `ETag` you hold: 304 without a body while your copy is current.",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A new key of your choosing per request (a UUID): the same request sent again with the same "
        "key gets the first answer and writes nothing (24 hours). 409 while the first runs; 422 when "
        "the key was used for another request."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r'^"?[!#-\[\]-~]{1,255}"?$'},
}

ERROR_DESCRIPTIONS = {
    400: "Bad input or a rule refused it; nothing was written (`errors` per field).",
    401: "No, an unknown, an expired or a revoked token.",
    403: "May read but not change; an action for another role; a read-only token writing.",
    404: "The record does not exist or is not yours to read.",
    406: "The `Accept` header asks for a type this operation cannot give.",
    409: "A request with the same `Idempotency-Key` is still running.",
    412: "`If-Match` no longer matches (or `If-None-Match` does): read the record again.",
    415: "The body is not `application/json`.",
    422: "The `Idempotency-Key` was used for another request within 24 hours.",
    428: "An update without `If-Match`.",
    429: "Throttled; `Retry-After` says when to try again.",
}


def _problem_response(status_code: int, description: str | None = None) -> dict:
    return {
        "description": description or ERROR_DESCRIPTIONS[status_code],
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _add_parameter(operation: dict, parameter: dict) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name") == parameter["name"] and p.get("in") == parameter["in"] for p in parameters):
        parameters.append(parameter)


def problems_and_preconditions(result, generator, request, public):
    """Postprocessing hook: every operation's errors as ``Problem`` (``application/problem+json``,
    ``herning.api.problems``), and the headers of lost-update protection and retries where the
    views read or send them (``ConditionalUpdateMixin``, ``AuditedMixin.retrieve``,
    ``IdempotentMixin``)."""
    from herning.api.conditional import ConditionalUpdateMixin
    from herning.api.idempotency import IdempotentMixin
    from herning.api.viewsets import AuditedMixin, ServiceResource

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = PROBLEM_FIELD_ERROR_SCHEMA
    for path, _regex, method, callback in generator.endpoints or ():
        # The schema writes a ``pk`` path parameter as ``id`` (``SCHEMA_COERCE_PATH_PK``).
        path = path if path in result["paths"] else path.replace("{pk}", "{id}")
        operation = result["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        view = getattr(callback, "cls", None) or object
        action = (getattr(callback, "actions", None) or {}).get(method.lower())
        responses = operation["responses"]
        statuses = {400, 401, 403, 406, 429}
        if "{" in path:
            statuses.add(404)
        if "requestBody" in operation:
            statuses.add(415)
        if method == "POST" and issubclass(view, IdempotentMixin):
            statuses |= {409, 422}
            _add_parameter(operation, IDEMPOTENCY_KEY)
        if method == "PATCH" and issubclass(view, ConditionalUpdateMixin):
            statuses |= {412, 428}
            _add_parameter(operation, IF_MATCH | {"required": True, "schema": {"type": "string"}})
            _add_parameter(operation, IF_NONE_MATCH)
            responses.get("200", {}).setdefault("headers", {})["ETag"] = ETAG_HEADER
        if method == "GET" and action == "retrieve" and issubclass(view, AuditedMixin):
            statuses.add(412)
            _add_parameter(operation, IF_NONE_MATCH)
            _add_parameter(operation, IF_MATCH | {"required": False, "schema": {"type": "string"}})
            responses.get("200", {}).setdefault("headers", {})["ETag"] = ETAG_HEADER
            responses["304"] = {
                "description": "Not Modified: your copy is current.",
                "headers": {"ETag": ETAG_HEADER},
            }
        if method == "POST" and action == "create" and issubclass(view, ServiceResource):
            responses.get("201", {}).setdefault("headers", {})["ETag"] = ETAG_HEADER
        for code in sorted(statuses):
            described = responses.get(str(code), {}).get("description")
            responses[str(code)] = _problem_response(code, described)
        for code, response in responses.items():
            if code.startswith("4") and "application/problem+json" not in response.get("content", {}):
                responses[code] = _problem_response(int(code), response.get("description"))
    return result

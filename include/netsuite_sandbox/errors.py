"""NetSuite's REST error body, and the one exception every layer raises to produce it.

Shape (Oracle, "Error Handling in REST Web Services")::

    {"type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
     "title": "Bad Request", "status": 400,
     "o:errorDetails": [{"detail": "...", "o:errorCode": "...", "o:errorPath": "email"}]}

``o:errorPath`` names a body field, ``o:errorQueryParam`` a query parameter, ``o:errorHeader``
a header; each is present only when it applies.
"""

from __future__ import annotations

from sandbox_kit import Response, json_response

_RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-"
TYPES = {
    400: (_RFC9110 + "15.5.1", "Bad Request"),
    401: (_RFC9110 + "15.5.2", "Unauthorized"),
    403: (_RFC9110 + "15.5.4", "Forbidden"),
    404: (_RFC9110 + "15.5.5", "Not Found"),
    405: (_RFC9110 + "15.5.6", "Method Not Allowed"),
    415: (_RFC9110 + "15.5.16", "Unsupported Media Type"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: (_RFC9110 + "15.6.1", "Internal Server Error"),
    502: (_RFC9110 + "15.6.3", "Bad Gateway"),
    503: (_RFC9110 + "15.6.4", "Service Unavailable"),
    504: (_RFC9110 + "15.6.5", "Gateway Timeout"),
}

INVALID_LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


class NetSuiteError(Exception):
    """An error NetSuite would answer with; ``response()`` renders the REST body."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        path: str | None = None,
        query_param: str | None = None,
        header: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.path = path
        self.query_param = query_param
        self.header = header

    def body(self) -> dict:
        detail: dict[str, str] = {"detail": self.detail}
        if self.path is not None:
            detail["o:errorPath"] = self.path
        if self.query_param is not None:
            detail["o:errorQueryParam"] = self.query_param
        if self.header is not None:
            detail["o:errorHeader"] = self.header
        detail["o:errorCode"] = self.code
        type_url, title = TYPES.get(self.status, (_RFC9110 + "15.5.1", "Error"))
        return {"type": type_url, "title": title, "status": self.status, "o:errorDetails": [detail]}

    def response(self) -> Response:
        return json_response(self.body(), self.status)


# --- the errors the sandbox raises, named after NetSuite's codes ---------------------------


def invalid_login() -> NetSuiteError:
    return NetSuiteError(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)


def concurrency_limit_exceeded(limit: int) -> NetSuiteError:
    return NetSuiteError(
        429,
        "CONCURRENCY_LIMIT_EXCEEDED",
        f"Concurrent request limit exceeded. The account allows {limit} concurrent requests "
        "shared by all integrations; retry the request after one of them completes.",
    )


def nonexistent_id() -> NetSuiteError:
    return NetSuiteError(
        404, "NONEXISTENT_ID", "The record instance does not exist. Provide a valid record instance ID."
    )


def invalid_record_type(record_type: str) -> NetSuiteError:
    return NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{record_type}' does not exist.")


def invalid_field(name: str, why: str = "") -> NetSuiteError:
    reason = why or f"Unrecognized field '{name}' for this record type."
    return NetSuiteError(400, "INVALID_FIELD", f"Error while accessing a resource. {reason}", path=name)


def invalid_value(path: str, why: str) -> NetSuiteError:
    return NetSuiteError(
        400, "INVALID_FLD_VALUE", f"Error while accessing a resource. {why}", path=path
    )


def invalid_reference(path: str, value: object) -> NetSuiteError:
    return NetSuiteError(
        400,
        "INVALID_KEY_OR_REF",
        f"Error while accessing a resource. You have entered an Invalid Field Value {value} "
        f"for the following field: {path}",
        path=path,
    )


def missing_value(path: str, label: str) -> NetSuiteError:
    return NetSuiteError(
        400, "USER_ERROR", f"Error while accessing a resource. Please enter value(s) for: {label}", path=path
    )


def duplicate_external_id(external_id: str, group: str) -> NetSuiteError:
    return NetSuiteError(
        400,
        "DUP_RCRD",
        f"Error while accessing a resource. A record with the external ID '{external_id}' already "
        f"exists in the {group} record group. External IDs must be unique across the record group.",
        path="externalId",
    )


def duplicate_entity(entity_id: str) -> NetSuiteError:
    return NetSuiteError(
        400,
        "DUP_ENTITY",
        f"Error while accessing a resource. This entity already exists: entityId '{entity_id}' is in use.",
        path="entityId",
    )


def invalid_content(why: str) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_CONTENT", f"The request could not be understood by the server. {why}")


def invalid_parameter(param: str, why: str) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_PARAMETER", why, query_param=param)


def invalid_search(why: str) -> NetSuiteError:
    """A SuiteQL query NetSuite refuses; the wording follows NetSuite's own answers."""
    return NetSuiteError(
        400,
        "INVALID_PARAMETER",
        f"Invalid search query. Detailed unprocessed description follows. {why}",
        query_param="q",
    )


def invalid_header(header: str, why: str) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_HEADER", why, header=header)


def operation_not_allowed(why: str) -> NetSuiteError:
    return NetSuiteError(405, "METHOD_NOT_ALLOWED", why)


def no_route(method: str, path: str) -> NetSuiteError:
    return NetSuiteError(
        404, "NONEXISTENT_ID", f"The requested resource {method} {path} does not exist."
    )


def unexpected(why: str) -> NetSuiteError:
    return NetSuiteError(500, "UNEXPECTED_ERROR", f"An unexpected error occurred. {why}")

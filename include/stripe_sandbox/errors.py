"""Stripe's error envelope, raised as an exception anywhere and rendered once by the app."""

from __future__ import annotations

DOC_BASE = "https://stripe.com/docs/error-codes"
AUTH_DOC_URL = "https://stripe.com/docs/api#authentication"


class StripeApiError(Exception):
    """An API error with Stripe's envelope: ``{"error": {type, code, message, param, doc_url}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",  # noqa: A002 - Stripe's field name
        code: str | None = None,
        param: str | None = None,
        doc_url: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.doc_url = doc_url if doc_url is not None else (f"{DOC_BASE}/{code.replace('_', '-')}" if code else None)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def envelope(self) -> dict:
        error: dict = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
        if self.param is not None:
            error["param"] = self.param
        if self.doc_url is not None:
            error["doc_url"] = self.doc_url
        error.update(self.extra)
        return {"error": error}


def invalid_request(message: str, *, param: str | None = None, code: str | None = None, status: int = 400) -> StripeApiError:
    return StripeApiError(status, message, param=param, code=code)


def unknown_parameter(param: str) -> StripeApiError:
    return StripeApiError(400, f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def unsupported_parameter(param: str) -> StripeApiError:
    return StripeApiError(
        400, f"The Stripe sandbox does not support the parameter: {param}", param=param, code="parameter_unknown"
    )


def missing_parameter(param: str) -> StripeApiError:
    return StripeApiError(400, f"Missing required param: {param}.", param=param, code="parameter_missing")


def resource_missing(object_name: str, object_id: str, *, param: str = "id") -> StripeApiError:
    label = object_name.replace("_", " ")
    return StripeApiError(404, f"No such {label}: '{object_id}'", param=param, code="resource_missing")


def unknown_cursor(object_name: str, object_id: str, param: str) -> StripeApiError:
    err = resource_missing(object_name, object_id, param=param)
    err.status = 400
    return err


def unrecognized_url(method: str, path: str) -> StripeApiError:
    return StripeApiError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
    )


def idempotency_mismatch(key: str) -> StripeApiError:
    return StripeApiError(
        400,
        "Keys for idempotent requests can only be used with the same parameters they were first used with. "
        f"Try using a key other than '{key}' if you meant to execute a different request.",
        type="idempotency_error",
        doc_url="https://stripe.com/docs/api/idempotent_requests",
    )


def redact_key(key: str) -> str:
    """``sk_test_abcdef1234`` -> ``sk_test_********1234``: never echo a key whole."""
    prefix = ""
    for candidate in ("sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_"):
        if key.startswith(candidate):
            prefix = candidate
            break
    rest = key[len(prefix):]
    safe_tail = "".join(ch for ch in rest[-4:] if ch.isalnum()) if len(rest) > 8 else ""
    return f"{prefix}{'*' * 8}{safe_tail}"


def missing_api_key() -> StripeApiError:
    return StripeApiError(
        401,
        "You did not provide an API key. You need to provide your API key in the Authorization header, "
        "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
        "https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        doc_url=AUTH_DOC_URL,
    )


def invalid_api_key(key: str) -> StripeApiError:
    return StripeApiError(401, f"Invalid API Key provided: {redact_key(key)}", doc_url=AUTH_DOC_URL)

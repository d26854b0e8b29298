"""Typed exceptions: what went wrong, with the gateway's machine-readable code.

Two families, as the API has them:

* :class:`UserInputError` and its subclasses: a mutation refused its input (``userErrors``), so
  nothing was changed. Each names the ``field`` (path into the input) and the ``code``. A domain
  refusal that arrives as a top-level error (e.g. a subscription to an unknown id: ``NOT_FOUND``) is
  raised as the same class.
* :class:`GraphQLRequestError` and its subclasses: the request itself failed (bad token, limits,
  malformed query, a server fault); ``code`` is ``extensions.code`` of the first error.

:class:`ConnectionFailed` means the gateway could not be reached at all, and
:class:`DeploymentFailed` that a deployment (or pool) ended FAILED while you waited for it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Type

from .models import Failure, UserError


class SpokegraphError(Exception):
    """Base of every exception this package raises."""

    code: Optional[str] = None


class ConnectionFailed(SpokegraphError):
    """The gateway could not be reached, or the connection broke and could not be resumed."""

    code = "CONNECTION_FAILED"


class ProtocolError(SpokegraphError):
    """The gateway answered something that is not a GraphQL response (wrong URL, a proxy page, ...)."""

    code = "PROTOCOL_ERROR"


# ---- mutation refusals (userErrors) ----------------------------------------------------------------


class UserInputError(SpokegraphError):
    """A mutation refused its input; nothing was changed.

    Attributes:
        errors: every user error the gateway returned, in order.
        code: the code of the first one (e.g. ``QUOTA_EXCEEDED``).
        field: the input path of the first one (e.g. ``["input", "name"]``), or None.
    """

    def __init__(self, errors: Sequence[UserError], operation: Optional[str] = None) -> None:
        self.errors: List[UserError] = list(errors)
        first = self.errors[0] if self.errors else UserError(field=None, message="refused", code="INVALID_INPUT")
        self.code = first.code
        self.field: Optional[List[str]] = first.field
        self.operation = operation
        lines = [f"{e.code} {'.'.join(e.field or []) or '-'}: {e.message}" for e in self.errors]
        prefix = f"{operation} refused: " if operation else ""
        super().__init__(prefix + "; ".join(lines))


class InvalidInput(UserInputError):
    """``INVALID_INPUT``: a value breaks a rule (range, format, combination)."""


class InvalidName(UserInputError):
    """``INVALID_NAME``: names are 3-33 characters of lowercase letters, digits and '-'."""


class InvalidId(UserInputError):
    """``INVALID_ID``: not an id of the expected kind."""


class NotFoundError(UserInputError):
    """``NOT_FOUND``: the object does not exist or is not visible to your token."""


class AlreadyExists(UserInputError):
    """``ALREADY_EXISTS``: the name is taken."""


class Conflict(UserInputError):
    """``CONFLICT``: a concurrent change won; read again and retry."""


class InUse(UserInputError):
    """``IN_USE``: still used by pools or deployments."""


class QuotaExceeded(UserInputError):
    """``QUOTA_EXCEEDED``: the GPU request would pass the project's or tenant's limit."""


class InsufficientCapacity(UserInputError):
    """``INSUFFICIENT_CAPACITY``: not enough free machines or GPUs."""


class IdempotencyKeyReused(UserInputError):
    """``IDEMPOTENCY_KEY_REUSED``: the key was used before with another input."""


class IllegalState(UserInputError):
    """``ILLEGAL_STATE``: not allowed in the object's current phase (e.g. retry of a RUNNING deployment)."""


USER_ERRORS: Dict[str, Type[UserInputError]] = {
    "INVALID_INPUT": InvalidInput,
    "INVALID_NAME": InvalidName,
    "INVALID_ID": InvalidId,
    "NOT_FOUND": NotFoundError,
    "ALREADY_EXISTS": AlreadyExists,
    "CONFLICT": Conflict,
    "IN_USE": InUse,
    "QUOTA_EXCEEDED": QuotaExceeded,
    "INSUFFICIENT_CAPACITY": InsufficientCapacity,
    "IDEMPOTENCY_KEY_REUSED": IdempotencyKeyReused,
    "ILLEGAL_STATE": IllegalState,
}


def user_input_error(errors: Sequence[UserError], operation: Optional[str] = None) -> UserInputError:
    """The exception for a list of user errors: the class of the first error's code."""
    cls = USER_ERRORS.get(errors[0].code, UserInputError) if errors else UserInputError
    return cls(errors, operation)


# ---- request failures (top-level errors) -----------------------------------------------------------


class GraphQLRequestError(SpokegraphError):
    """The request failed as a whole (top-level ``errors``).

    Attributes:
        code: ``extensions.code`` of the first error (e.g. ``UNAUTHENTICATED``, ``LIMIT_EXCEEDED``).
        errors: the raw error objects.
        extensions: ``extensions`` of the first error.
    """

    def __init__(self, errors: Sequence[Dict[str, Any]], status: Optional[int] = None) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else {}
        self.extensions: Dict[str, Any] = dict(first.get("extensions") or {})
        self.code = self.extensions.get("code")
        self.status = status
        text = "; ".join(f"{e.get('message', '?')} ({(e.get('extensions') or {}).get('code', '?')})" for e in self.errors)
        super().__init__(text or f"request failed (HTTP {status})")


class AuthenticationError(GraphQLRequestError):
    """``UNAUTHENTICATED``: the token is missing, wrong, revoked or expired."""


class PermissionDenied(GraphQLRequestError):
    """``FORBIDDEN``: the token's roles do not allow this."""


class LimitExceeded(GraphQLRequestError):
    """``LIMIT_EXCEEDED``: query depth, cost, aliases, body size or subscriptions per socket."""


class BadRequest(GraphQLRequestError):
    """The document or its variables are invalid (parse, validation or coercion failed)."""


class ServerError(GraphQLRequestError):
    """``INTERNAL_SERVER_ERROR``: a fault in the gateway (logged there; retrying may help)."""


class SubscriptionLagging(GraphQLRequestError):
    """``SUBSCRIPTION_LAGGING``: the gateway cut a stream that fell behind; ``after`` is where to resume."""

    @property
    def after(self) -> Optional[str]:
        value = self.extensions.get("after")
        return value if isinstance(value, str) else None


REQUEST_ERRORS: Dict[str, Type[GraphQLRequestError]] = {
    "UNAUTHENTICATED": AuthenticationError,
    "FORBIDDEN": PermissionDenied,
    "LIMIT_EXCEEDED": LimitExceeded,
    "GRAPHQL_PARSE_FAILED": BadRequest,
    "GRAPHQL_VALIDATION_FAILED": BadRequest,
    "BAD_USER_INPUT": BadRequest,
    "BAD_REQUEST": BadRequest,
    "INTERNAL_SERVER_ERROR": ServerError,
    "SUBSCRIPTION_LAGGING": SubscriptionLagging,
}


def request_error(errors: Sequence[Dict[str, Any]], status: Optional[int] = None) -> SpokegraphError:
    """The exception for top-level errors; domain codes become the matching :class:`UserInputError`."""
    first = errors[0] if errors else {}
    ext = first.get("extensions") or {}
    code = ext.get("code")
    if code in USER_ERRORS:
        field = ext.get("field")
        return USER_ERRORS[code]([UserError(field=list(field) if isinstance(field, list) else None, message=str(first.get("message", "")), code=code)])
    return REQUEST_ERRORS.get(code, GraphQLRequestError)(errors, status)


class DeploymentFailed(SpokegraphError):
    """The deployment or pool you waited for ended FAILED.

    Attributes:
        subject_id: its global id.
        failure: reason, step and message (``retry`` resumes at that step), when the gateway has them.
    """

    code = "FAILED"

    def __init__(self, subject_id: str, name: str, failure: Optional[Failure]) -> None:
        self.subject_id = subject_id
        self.failure = failure
        why = f": {failure.reason} at step {failure.step}: {failure.message}" if failure else ""
        super().__init__(f"{name} FAILED{why}")

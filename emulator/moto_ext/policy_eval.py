"""The sandbox's one IAM policy evaluator: AWS's evaluation logic over parsed, cached policy documents.

Pure: it knows nothing of moto. The request gate (authorize.py) gathers the policies that apply to a request
(identity, task, session, boundary, SCPs, the resource's own policy) and the request context; `evaluate` decides.

The logic, as AWS documents it ("Policy evaluation logic") and as @cloud-copilot/iam-simulate implements it (the
differential test in __tests__/emulator/policy-differential.test.ts holds the two together):

1. An explicit Deny in any policy wins.
2. SCPs: every level (the organization root, each OU on the path, the account) must have a matching Allow.
3. Same account: an Allow in the identity policies, or a resource policy Allow naming the principal itself
   (an account-level Principal delegates to the identity policies). For STS with a resource policy (a role's
   trust policy) the resource policy must allow even in the same account. Cross account: both must allow.
4. A session policy, when present, must allow; a permissions boundary must allow, except for a same-account
   resource policy that names the exact user or session.

Elements: Effect, Action/NotAction, Resource/NotResource, Principal/NotPrincipal, Condition with every operator
of the IAM reference (String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null), the
IfExists suffix and the ForAnyValue:/ForAllValues: prefixes, and policy variables (${aws:PrincipalAccount}, ...,
${*} ${?} ${$}, defaults). Whatever cannot be understood fails closed: an Allow that cannot be read allows
nothing, a Deny that cannot be read denies.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

ALLOWED = "Allowed"
EXPLICIT = "ExplicitlyDenied"
IMPLICIT = "ImplicitlyDenied"

Context = Mapping[str, "str | list[str]"]  # lower-cased condition key -> value(s)

# Principal match levels of a resource-policy statement, in iam-simulate's vocabulary.
NO_MATCH, ACCOUNT_MATCH, SESSION_MATCH, EXACT_MATCH = 0, 1, 2, 3


class Principal:
    """Who makes the request: `arn` is the request principal (a user, an assumed-role session, an account root);
    `role_arn` is the role of a session (what a Principal element and aws:PrincipalArn name)."""

    __slots__ = ("arn", "account", "role_arn")

    def __init__(self, arn: str, account: str, role_arn: str | None = None) -> None:
        self.arn = arn
        self.account = account
        self.role_arn = role_arn


class Request:
    __slots__ = ("action", "action_lower", "resource", "resource_account", "context")

    def __init__(self, action: str, resource: str, resource_account: str, context: Context) -> None:
        self.action = action
        self.action_lower = action.lower()
        self.resource = resource
        self.resource_account = resource_account
        self.context = context


class Decision:
    __slots__ = ("result", "policy_type")

    def __init__(self, result: str, policy_type: str | None = None) -> None:
        self.result = result
        # For a denial: which kind of policy decided it ("identity", "resource", "scp", "session", "boundary").
        self.policy_type = policy_type

    @property
    def allowed(self) -> bool:
        return self.result == ALLOWED

    def __repr__(self) -> str:
        return f"Decision({self.result}, {self.policy_type})"


# --- strings, wildcards and policy variables -----------------------------------------------------------

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def _resolve_variable(body: str, context: Context) -> str | None:
    """The value of `${body}`: an escape, a context key, or the default after a comma; None if it has none."""
    if body in _ESCAPES:
        return _ESCAPES[body]
    name, _, default = body.partition(",")
    value = context.get(name.strip().lower())
    if isinstance(value, str) and value:
        return value
    default = default.strip()
    if len(default) >= 2 and default[0] == default[-1] == "'":
        return default[1:-1]
    return None


def _tokens(value: str, context: Context) -> list[tuple[bool, str]] | None:
    """(is_literal, text) pieces of a policy string with its variables resolved; None if one cannot be.
    Resolved values are literal: a '*' inside a principal's ARN is not a wildcard."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _VARIABLE.finditer(value):
        if match.start() > position:
            pieces.append((False, value[position : match.start()]))
        resolved = _resolve_variable(match.group(1), context)
        if resolved is None:
            return None
        pieces.append((True, resolved))
        position = match.end()
    if position < len(value):
        pieces.append((False, value[position:]))
    return pieces


def _substitute(value: str, context: Context) -> str | None:
    if "${" not in value:
        return value
    pieces = _tokens(value, context)
    return None if pieces is None else "".join(text for _, text in pieces)


# Wildcard characters that came from a resolved variable (or ${*} / ${?}) are literal: they are carried as these
# private-use characters and match only a real '*' or '?'.
_LITERAL_STAR, _LITERAL_ONE = "\ue000", "\ue001"


def _resolve_pattern(pattern: str, context: Context) -> str | None:
    """The pattern with its variables resolved (their wildcards made literal); None if one has no value."""
    if "${" not in pattern:
        return pattern
    pieces = _tokens(pattern, context)
    if pieces is None:
        return None
    return "".join(
        text.replace("*", _LITERAL_STAR).replace("?", _LITERAL_ONE) if literal else text for literal, text in pieces
    )


def _same(pattern_char: str, char: str) -> bool:
    return (
        pattern_char == char
        or pattern_char == "?"
        or (pattern_char == _LITERAL_STAR and char == "*")
        or (pattern_char == _LITERAL_ONE and char == "?")
    )


def _chunk_at(text: str, position: int, chunk: str, plain: bool) -> bool:
    if plain:
        return text.startswith(chunk, position)
    if position + len(chunk) > len(text):
        return False
    return all(_same(c, text[position + i]) for i, c in enumerate(chunk))


class _Glob:
    """One wildcard pattern: '*' matches any run of characters, '?' one character. Matched by placing the pieces
    between stars leftmost, in order (no regular expression, so no backtracking blow-up on hostile patterns)."""

    __slots__ = ("pieces", "plain")

    def __init__(self, pattern: str) -> None:
        self.pieces = pattern.split("*")
        self.plain = [not any(c in piece for c in ("?", _LITERAL_STAR, _LITERAL_ONE)) for piece in self.pieces]

    def _find(self, text: str, index: int, start: int, end: int) -> int:
        piece = self.pieces[index]
        if self.plain[index]:
            return text.find(piece, start, end)
        for position in range(start, end - len(piece) + 1):
            if _chunk_at(text, position, piece, False):
                return position
        return -1

    def match(self, text: str) -> bool:
        pieces, plain = self.pieces, self.plain
        if len(pieces) == 1:
            return len(text) == len(pieces[0]) and _chunk_at(text, 0, pieces[0], plain[0])
        first, last = pieces[0], pieces[-1]
        end = len(text) - len(last)
        if end < len(first) or not _chunk_at(text, 0, first, plain[0]) or not _chunk_at(text, end, last, plain[-1]):
            return False
        position = len(first)
        for index in range(1, len(pieces) - 1):
            if pieces[index]:
                found = self._find(text, index, position, end)
                if found < 0:
                    return False
                position = found + len(pieces[index])
        return True


class _Wildcard:
    """A policy string with wildcards. For ARNs the six colon-separated parts match separately: a '*' in the
    partition, service, region or account never crosses a colon (IAM's ArnLike and Resource matching)."""

    __slots__ = ("parts", "ignore_case")

    def __init__(self, pattern: str, arn: bool, ignore_case: bool) -> None:
        self.ignore_case = ignore_case
        if ignore_case:
            pattern = pattern.lower()
        split = pattern.split(":", 5) if arn and pattern.startswith("arn:") else []
        self.parts = [_Glob(p) for p in split] if len(split) == 6 else [_Glob(pattern)]

    def match(self, text: str) -> bool:
        if self.ignore_case:
            text = text.lower()
        if len(self.parts) == 1:
            return self.parts[0].match(text)
        segments = text.split(":", 5)
        return len(segments) == 6 and all(part.match(segment) for part, segment in zip(self.parts, segments))


_PATTERN_CACHE: dict[tuple[str, bool, bool], _Wildcard] = {}


def _wildcard(pattern: str, context: Context, arn: bool, ignore_case: bool = False) -> _Wildcard | None:
    """The compiled pattern, its variables resolved from the context (None when one has no value: the pattern then
    matches nothing). Patterns without variables are compiled once."""
    resolved = _resolve_pattern(pattern, context)
    if resolved is None:
        return None
    key = (resolved, arn, ignore_case)
    compiled = _PATTERN_CACHE.get(key)
    if compiled is None:
        if len(_PATTERN_CACHE) > 20_000:
            _PATTERN_CACHE.clear()
        compiled = _PATTERN_CACHE[key] = _Wildcard(resolved, arn, ignore_case)
    return compiled


# --- condition operators --------------------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime.datetime | None:
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return datetime.datetime.fromtimestamp(float(text), datetime.timezone.utc)
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def _compare(parse: Callable[[str], Any], test: Callable[[Any, Any], bool]) -> Callable[[str, str, Context], bool]:
    def matches(actual: str, expected: str, context: Context) -> bool:
        resolved = _substitute(expected, context)
        if resolved is None:
            return False
        a, e = parse(actual), parse(resolved)
        return a is not None and e is not None and test(a, e)

    return matches


def _string_equals(actual: str, expected: str, context: Context) -> bool:
    resolved = _substitute(expected, context)
    return resolved is not None and actual == resolved


def _string_equals_ignore_case(actual: str, expected: str, context: Context) -> bool:
    resolved = _substitute(expected, context)
    return resolved is not None and actual.lower() == resolved.lower()


def _string_like(actual: str, expected: str, context: Context) -> bool:
    compiled = _wildcard(expected, context, arn=False)
    return compiled is not None and compiled.match(actual)


def _arn_like(actual: str, expected: str, context: Context) -> bool:
    """ArnEquals and ArnLike alike: both ARNs must have their six parts, each part matched on its own."""
    if actual.count(":") < 5 or not actual.startswith("arn:"):
        return False
    compiled = _wildcard(expected, context, arn=True)
    return compiled is not None and len(compiled.parts) == 6 and compiled.match(actual)


def _bool(actual: str, expected: str, context: Context) -> bool:
    resolved = _substitute(expected, context)
    if resolved is None or resolved.lower() not in ("true", "false") or actual.lower() not in ("true", "false"):
        return False
    return actual.lower() == resolved.lower()


def _ip(actual: str, expected: str, context: Context) -> bool:
    resolved = _substitute(expected, context)
    if resolved is None:
        return False
    try:
        return ipaddress.ip_address(actual) in ipaddress.ip_network(resolved, strict=False)
    except ValueError:
        return False


# Base operator (lower case) -> (positive test of one request value against one policy value, negated?).
_OPERATORS: dict[str, tuple[Callable[[str, str, Context], bool], bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "numericequals": (_compare(_number, lambda a, e: a == e), False),
    "numericnotequals": (_compare(_number, lambda a, e: a == e), True),
    "numericlessthan": (_compare(_number, lambda a, e: a < e), False),
    "numericlessthanequals": (_compare(_number, lambda a, e: a <= e), False),
    "numericgreaterthan": (_compare(_number, lambda a, e: a > e), False),
    "numericgreaterthanequals": (_compare(_number, lambda a, e: a >= e), False),
    "dateequals": (_compare(_date, lambda a, e: a == e), False),
    "datenotequals": (_compare(_date, lambda a, e: a == e), True),
    "datelessthan": (_compare(_date, lambda a, e: a < e), False),
    "datelessthanequals": (_compare(_date, lambda a, e: a <= e), False),
    "dategreaterthan": (_compare(_date, lambda a, e: a > e), False),
    "dategreaterthanequals": (_compare(_date, lambda a, e: a >= e), False),
    "bool": (_bool, False),
    "binaryequals": (_string_equals, False),
    "ipaddress": (_ip, False),
    "notipaddress": (_ip, True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
}


class Condition:
    __slots__ = ("key", "values", "test", "negated", "if_exists", "set_op", "is_null")

    def __init__(self, operator: str, key: str, values: tuple[str, ...]) -> None:
        set_op, _, base = operator.rpartition(":")
        base = base.lower()
        self.set_op = set_op.lower() or None
        self.if_exists = base.endswith("ifexists") and base != "ifexists"
        if self.if_exists:
            base = base[: -len("ifexists")]
        self.is_null = base == "null"
        if self.set_op not in (None, "foranyvalue", "forallvalues") or (not self.is_null and base not in _OPERATORS):
            raise ValueError(f"unsupported condition operator {operator!r}")
        self.test, self.negated = (None, False) if self.is_null else _OPERATORS[base]  # type: ignore[assignment]
        self.key = key.lower()
        self.values = values

    def _one(self, actual: str, context: Context) -> bool:
        """One request value against the policy values: any matches (positive), none matches (negated). A policy
        value whose variable has no value never matches, and makes a negated operator false (iam-simulate)."""
        if self.negated:
            for expected in self.values:
                if "${" in expected and _substitute(expected, context) is None:
                    return False
                if self.test(actual, expected, context):  # type: ignore[misc]
                    return False
            return True
        return any(self.test(actual, expected, context) for expected in self.values)  # type: ignore[misc]

    def holds(self, context: Context) -> bool:
        value = context.get(self.key)
        if self.is_null:
            wanted = "true" if value is None else "false"
            return any(v.lower() == wanted for v in self.values)
        if self.set_op is not None:
            if value is None:
                return self.set_op == "forallvalues"
            items = [value] if isinstance(value, str) else value
            if self.set_op == "forallvalues":
                return all(self._one(item, context) for item in items)
            return any(self._one(item, context) for item in items)
        if value is None:
            return self.if_exists or self.negated
        if not isinstance(value, str):
            return False  # a multi-valued key needs a set operator
        return self._one(value, context)


# --- statements and policies ------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Patterns:
    """Action or Resource patterns: '*', exact strings, and wildcard patterns (with variables, for resources)."""

    __slots__ = ("everything", "exact", "globs", "dynamic", "arn", "ignore_case")

    def __init__(self, patterns: list[str], arn: bool, ignore_case: bool) -> None:
        self.arn, self.ignore_case = arn, ignore_case
        self.everything = "*" in patterns
        self.exact: set[str] = set()
        self.globs: list[_Wildcard] = []
        self.dynamic: list[str] = []
        for pattern in patterns:
            key = pattern.lower() if ignore_case else pattern
            if "${" in pattern:
                self.dynamic.append(pattern)
            elif "*" in pattern or "?" in pattern:
                self.globs.append(_Wildcard(pattern, arn, ignore_case))
            else:
                self.exact.add(key)

    def match(self, value: str, context: Context) -> bool:
        if self.everything:
            return True
        if (value.lower() if self.ignore_case else value) in self.exact:
            return True
        if any(g.match(value) for g in self.globs):
            return True
        for pattern in self.dynamic:
            compiled = _wildcard(pattern, context, self.arn, self.ignore_case)
            if compiled is not None and compiled.match(value):
                return True
        return False


class _Principals:
    """A Principal or NotPrincipal element."""

    __slots__ = ("wildcard", "accounts", "arns")

    def __init__(self, element: Any) -> None:
        self.wildcard = element == "*"
        self.accounts: set[str] = set()
        self.arns: set[str] = set()
        if isinstance(element, dict):
            for kind, entries in element.items():
                for entry in _as_list(entries):
                    entry = _text(entry)
                    if kind != "AWS":
                        continue  # services, federated and canonical users never make sandbox requests
                    if entry == "*":
                        self.wildcard = True
                    elif re.fullmatch(r"\d{12}", entry):
                        self.accounts.add(entry)
                    elif match := re.fullmatch(r"arn:[\w-]+:iam::(\d{12}):root", entry):
                        self.accounts.add(match.group(1))
                    else:
                        self.arns.add(entry)

    def level(self, principal: Principal) -> int:
        if self.wildcard or principal.arn in self.arns:
            return EXACT_MATCH
        if principal.role_arn is not None and principal.role_arn in self.arns:
            return SESSION_MATCH
        if principal.account in self.accounts:
            return ACCOUNT_MATCH
        return NO_MATCH


class Statement:
    __slots__ = ("allow", "sid", "actions", "not_action", "resources", "not_resource", "principals", "not_principal", "conditions")

    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise ValueError("a statement must be an object")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise ValueError(f"Effect must be Allow or Deny, got {effect!r}")
        self.allow = effect == "Allow"
        self.sid = raw.get("Sid")
        self.not_action = "NotAction" in raw
        actions = raw.get("NotAction" if self.not_action else "Action")
        if actions is None:
            raise ValueError("a statement needs Action or NotAction")
        self.actions = _Patterns([_text(a) for a in _as_list(actions)], arn=False, ignore_case=True)
        self.not_resource = "NotResource" in raw
        resources = raw.get("NotResource" if self.not_resource else "Resource")
        # No Resource element (a role's trust policy): the statement covers the resource it is attached to.
        self.resources = None if resources is None else _Patterns([_text(r) for r in _as_list(resources)], arn=True, ignore_case=False)
        self.not_principal = "NotPrincipal" in raw
        element = raw.get("NotPrincipal" if self.not_principal else "Principal")
        self.principals = None if element is None else _Principals(element)
        conditions = raw.get("Condition") or {}
        if not isinstance(conditions, dict):
            raise ValueError("Condition must be an object")
        self.conditions = []
        for operator, block in conditions.items():
            if not isinstance(block, dict):
                raise ValueError(f"condition {operator} must map keys to values")
            for key, values in block.items():
                self.conditions.append(Condition(operator, key, tuple(_text(v) for v in _as_list(values))))

    def applies(self, request: Request) -> bool:
        """Action, resource and conditions match (the principal is checked by the caller, for resource policies)."""
        if self.actions.match(request.action_lower, request.context) == self.not_action:
            return False
        if self.resources is not None and self.resources.match(request.resource, request.context) == self.not_resource:
            return False
        return all(c.holds(request.context) for c in self.conditions)

    def principal_level(self, principal: Principal) -> int:
        if self.principals is None:
            # A resource-policy statement without a principal is invalid; fail closed.
            return NO_MATCH if self.allow else EXACT_MATCH
        level = self.principals.level(principal)
        if self.not_principal:
            return NO_MATCH if level else EXACT_MATCH
        return level


class Policy:
    __slots__ = ("statements", "error")

    def __init__(self, statements: list[Statement], error: str | None = None) -> None:
        self.statements = statements
        self.error = error


_DENY_ALL = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
ALLOW_ALL = Policy([Statement({"Effect": "Allow", "Action": "*", "Resource": "*"})])


def _load(document: str | dict[str, Any]) -> Any:
    if isinstance(document, dict):
        return document
    try:
        return json.loads(document)
    except ValueError:
        return json.loads(unquote(document))  # moto keeps some documents URL-encoded


def _build(document: str | dict[str, Any]) -> Policy:
    try:
        raw = _load(document)
        if not isinstance(raw, dict):
            raise ValueError("a policy must be a JSON object")
        statements = [Statement(s) for s in _as_list(raw.get("Statement"))]
        return Policy(statements)
    except (ValueError, TypeError, AttributeError) as error:
        # Unreadable: deny everything rather than guess.
        return Policy([Statement(_DENY_ALL)], error=str(error))


_POLICY_CACHE: dict[str, Policy] = {}


def parse(document: str | dict[str, Any]) -> Policy:
    """The parsed policy, cached by its text (documents are re-read on every request)."""
    if not isinstance(document, str):
        return _build(document)
    policy = _POLICY_CACHE.get(document)
    if policy is None:
        policy = _build(document)
        if len(_POLICY_CACHE) > 50_000:
            _POLICY_CACHE.clear()
        _POLICY_CACHE[document] = policy
    return policy


# --- evaluation ---------------------------------------------------------------------------------------


def _identity_like(policies: Sequence[Policy], request: Request) -> tuple[bool, bool]:
    """(explicitly denied, allowed) by a set of identity-style policies (no principal element)."""
    allowed = False
    for policy in policies:
        for statement in policy.statements:
            if statement.applies(request):
                if not statement.allow:
                    return True, False
                allowed = True
    return False, allowed


def evaluate(
    request: Request,
    principal: Principal,
    identity: Sequence[Policy],
    *,
    task: Sequence[Policy] = (),
    session: Sequence[Policy] | None = None,
    boundary: Policy | None = None,
    scps: Sequence[Sequence[Policy]] | None = None,
    resource_policy: Policy | None = None,
) -> Decision:
    """The decision on one request. `identity` are the principal's identity policies (ALLOW_ALL for a root
    user); `task` are deny-only documents evaluated with them (an AssumeRoot task policy); `session` is a
    session policy; `scps` the SCPs per level (None: the management account, or no organization)."""
    if request.action_lower == "sts:getcalleridentity":
        return Decision(ALLOWED)  # never denied by any policy

    scps_allow = True
    for level in scps or ():
        level_allows = False
        for policy in level:
            for statement in policy.statements:
                if statement.applies(request):
                    if not statement.allow:
                        return Decision(EXPLICIT, "scp")
                    level_allows = True
        scps_allow = scps_allow and level_allows

    direct = account_level = exact = False
    if resource_policy is not None:
        for statement in resource_policy.statements:
            level = statement.principal_level(principal)
            if level and statement.applies(request):
                if not statement.allow:
                    return Decision(EXPLICIT, "resource")
                if level == ACCOUNT_MATCH:
                    account_level = True
                else:
                    direct = True
                    exact = exact or level == EXACT_MATCH

    denied, identity_allows = _identity_like(identity, request)
    if denied:
        return Decision(EXPLICIT, "identity")
    if _identity_like(task, request)[0]:
        return Decision(EXPLICIT, "session")
    session_allows = True
    if session is not None:
        denied, session_allows = _identity_like(session, request)
        if denied:
            return Decision(EXPLICIT, "session")
    boundary_allows = True
    if boundary is not None:
        denied, boundary_allows = _identity_like((boundary,), request)
        if denied:
            return Decision(EXPLICIT, "boundary")

    if not scps_allow:
        return Decision(IMPLICIT, "scp")
    if not session_allows:
        return Decision(IMPLICIT, "session")
    same_account = principal.account == request.resource_account
    if same_account:
        if request.action_lower.startswith("sts:") and resource_policy is not None:
            # A trust policy must allow even in the same account; an account-level grant defers to identity.
            core = direct or (account_level and identity_allows)
            reason = "resource"
        else:
            core = direct or identity_allows
            reason = "identity"
    else:
        core = (direct or account_level) and identity_allows
        reason = "identity" if not identity_allows else "resource"
    if not core:
        return Decision(IMPLICIT, reason)
    if not boundary_allows:
        # Only a same-account resource policy naming this very user or session gets past a boundary.
        bypass = same_account and exact and (":user/" in principal.arn or principal.role_arn is not None)
        if not bypass:
            return Decision(IMPLICIT, "boundary")
    return Decision(ALLOWED)

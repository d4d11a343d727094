"""Make moto's per-request bookkeeping O(1), and record every credential the sandbox issues.

moto resolves the account of a request by scanning every account's access keys, finds an assumed-role session
by scanning a list, and lists a response class's methods with `inspect` on every request. With 10,000 member accounts and thousands of concurrent
requests both dominate, so we index keys as they are created and cache the method lists.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import moto.backends as moto_backends
import moto.core.responses as core_responses
import moto.iam.models as iam_models
import moto.sts.models as sts_models
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.core.utils import get_service_model

from . import state


def account_for_access_key(access_key: str) -> str:
    session = state.ROOT_SESSIONS.get(access_key)
    if session is not None:
        return session.account_id
    root_account = state.ROOT_KEY_ACCOUNT.get(access_key)
    if root_account is not None:
        return root_account
    account_id = state.KEY_ACCOUNT.get(access_key)
    if account_id is not None:
        account = iam_models.iam_backends.get(account_id)
        # The key may have been deleted since; moto's own answer is then the default account.
        if account is not None and access_key in account["aws"].access_keys:
            return account_id
    return DEFAULT_ACCOUNT_ID


def _cache_backend_routing() -> None:
    """moto lists its package directory (one stat per service) and tries every URL pattern on each request,
    under a global lock; the answers never change while the server runs."""
    modules = tuple(moto_backends.list_of_moto_modules())
    moto_backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]
    original = DomainDispatcherApplication.get_backend_for_host
    known: dict[str | None, Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        if host not in known:
            known[host] = original(self, host)
        return known[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


def _warm_service_models() -> None:
    """Load the botocore models of the services the project calls before serving: moto caches them, but
    dozens of concurrent first requests would each load (and scan botocore's data directory) in parallel."""
    for service in ("sts", "iam", "s3", "sqs", "organizations"):
        get_service_model(service)


def _fast_backend_lookup() -> None:
    """moto checks `account_id not in list(self.keys())` on every backend access: O(accounts), several times
    per request. A plain dict lookup answers the common case; only a new account takes moto's locked path."""
    original = BackendDict._create_account_specific_backend

    def create_account_specific_backend(self: BackendDict, account_id: str) -> None:  # type: ignore[type-arg]
        if dict.__contains__(self, account_id):
            return
        original(self, account_id)

    BackendDict._create_account_specific_backend = create_account_specific_backend  # type: ignore[method-assign]


def install() -> None:
    _fast_backend_lookup()
    _warm_service_models()
    _cache_backend_routing()
    iam_models.get_account_id_from = account_for_access_key
    core_responses.method_names_from_class = functools.cache(core_responses.method_names_from_class)

    original_key_init = iam_models.AccessKey.__init__

    def key_init(self: Any, user_name: Any, prefix: str, account_id: str, status: str = "Active") -> None:
        original_key_init(self, user_name, prefix=prefix, account_id=account_id, status=status)
        state.KEY_ACCOUNT[self.access_key_id] = account_id
        state.record_secret(self.secret_access_key)

    iam_models.AccessKey.__init__ = key_init  # type: ignore[method-assign]

    original_role_init = sts_models.AssumedRole.__init__

    def assumed_role_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_role_init(self, *args, **kwargs)
        state.record_secret(self.session_token)
        state.record_session(self.access_key_id, "role", self.role_arn.split(":")[4], roleArn=self.role_arn)
        expiration = self.expiration
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=datetime.timezone.utc)
        state.TEMP_KEY_EXPIRY[self.access_key_id] = expiration
        state.ASSUMED_ROLES[self.access_key_id] = self

    sts_models.AssumedRole.__init__ = assumed_role_init  # type: ignore[method-assign]

    def get_assumed_role_from_access_key(self: Any, access_key_id: str) -> Any:
        assumed = state.ASSUMED_ROLES.get(access_key_id)
        return assumed if assumed is not None and assumed.account_id == self.account_id else None

    sts_models.STSBackend.get_assumed_role_from_access_key = get_assumed_role_from_access_key  # type: ignore[method-assign]

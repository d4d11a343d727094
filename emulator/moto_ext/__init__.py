"""The project's extension of moto 5.2.1: what real AWS has for centralized root access,
service-managed StackSets, EventBridge delivery and the S3 bucket listing, and moto lacks.

`install()` patches moto in place; it must run before the first request is served. Each module owns one
concern; the server entry (emulator/server.py) wraps moto's WSGI app with the request gate (gate.py: who calls,
what they ask, and the one policy evaluator's decision) and the seeding API.
"""

import threading

from . import authorize, events_ext, iam_ext, member_role, organizations_ext, perf, s3_ext, sts_ext

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    perf.install()
    organizations_ext.install()
    member_role.install()
    iam_ext.install()
    sts_ext.install()
    events_ext.install()
    s3_ext.install()
    authorize.install()
    _installed = True


_stacksets_lock = threading.Lock()
_stacksets_installed = False


def install_stacksets() -> None:
    """Patches moto's CloudFormation before the first CloudFormation request is served. moto.cloudformation imports
    every service a template can name (EC2's instance types and zones among them): 0.7 s of a 1.0 s start-up,
    which most sandboxes (each test suite starts one) never use."""
    global _stacksets_installed
    if _stacksets_installed:
        return
    with _stacksets_lock:
        if not _stacksets_installed:
            from . import cloudformation_ext

            cloudformation_ext.install()
            _stacksets_installed = True

"""The project's extension of moto 5.2.1: what real AWS has for centralized root access,
service-managed StackSets, EventBridge delivery and the S3 bucket listing, and moto lacks.

`install()` patches moto in place; it must run before the first request is served. Each module owns one
concern; the server entry (emulator/server.py) wraps moto's WSGI app with the request gate (gate.py: who calls,
what they ask, and the one policy evaluator's decision) and the seeding API.
"""

from . import authorize, cloudformation_ext, events_ext, iam_ext, member_role, organizations_ext, perf, s3_ext, sts_ext

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
    cloudformation_ext.install()
    events_ext.install()
    s3_ext.install()
    authorize.install()
    _installed = True

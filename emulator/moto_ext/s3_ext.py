"""S3 ListBuckets as AWS answers it today: with any query parameter (max-buckets, continuation-token, prefix,
bucket-region) each bucket carries its BucketRegion and the listing pages with a ContinuationToken. moto 5.2.1
returns neither and cuts a listing at max-buckets without a token, which would hide buckets from a scan.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.s3.responses import S3Response


def _all_buckets(self: S3Response) -> Any:
    self.data["Action"] = "ListAllMyBuckets"
    self._authenticate_and_authorize_s3_action()
    prefix = self._get_param("prefix")
    region = self._get_param("bucket-region")
    limit = self._get_param("max-buckets")
    token = self._get_param("continuation-token")
    paged = any(v is not None for v in (prefix, region, limit, token))
    buckets = sorted(self.backend.list_buckets(prefix=prefix, bucket_region=region, max_buckets=None), key=lambda b: b.name)
    if token:
        buckets = [b for b in buckets if b.name > token]
    size = int(limit) if limit else 10_000
    page, more = buckets[:size], len(buckets) > size
    result: dict[str, Any] = {
        "Owner": {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"},
        "Buckets": [
            {"Name": b.name, "CreationDate": b.creation_date_ISO8601, **({"BucketRegion": b.region_name} if paged else {})}
            for b in page
        ],
    }
    if more:
        result["ContinuationToken"] = page[-1].name
    if prefix:
        result["Prefix"] = prefix
    self.data["Action"] = "ListBuckets"
    return self.serialized(ActionResult(result))


def install() -> None:
    S3Response.all_buckets = _all_buckets  # type: ignore[method-assign]

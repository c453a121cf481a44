"""Where uploaded media lives: S3-compatible object storage, when settings ask for it.

Objects are read through plain public URLs (the page cache stores pages with them, so they
must not expire), never overwritten (a new upload gets a new name, so browsers and CDNs may
keep them for long), and the credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
or the machine's role, as boto3 finds them.
"""

from urllib.parse import urlsplit


def s3_media_storage(*, bucket, endpoint_url="", region="", custom_domain=""):
    """(the STORAGES entry for django-storages' S3 backend, the origin images load from)."""
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "custom_domain": custom_domain or None,  # e.g. a CDN in front of the bucket
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,  # the bucket's policy decides who reads
            "object_parameters": {"CacheControl": "public, max-age=2592000"},
        },
    }
    if custom_domain:
        origin = f"https://{custom_domain}"
    elif endpoint_url:  # boto3 addresses a custom endpoint by path: endpoint/bucket/key
        parts = urlsplit(endpoint_url)
        origin = f"{parts.scheme}://{parts.netloc}"
    else:
        origin = f"https://{bucket}.s3.amazonaws.com"
    return storage, origin

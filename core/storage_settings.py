"""`settings.STORAGES` from the environment: local directories by default, S3-protocol buckets when configured.

Read by config/settings/base.py; kept apart so the parsing is tested on its own (tests/core/test_storage_settings.py).
Only the standard library here: settings import this module before Django is set up.
"""

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_STORAGES = {
    # Product images under MEDIA_ROOT, served by the app itself at MEDIA_URL (core.media).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # KYC documents under PRIVATE_MEDIA_ROOT: no route serves that directory.
    "private": {"BACKEND": "core.storage.PrivateFileSystemStorage"},
}
_SCHEMES = {"s3": "https", "s3+https": "https", "s3+http": "http"}
_URL_QUERY_KEYS = {"region", "private_bucket", "addressing_style"}


def _get(environ: Mapping[str, str], name: str) -> str:
    """Unset and blank (a line left empty in a copied .env.example) are the same."""
    return (environ.get(name) or "").strip()


def _from_storage_url(url: str) -> dict:
    """`s3://KEY:SECRET@HOST[:PORT]/BUCKET?region=...&private_bucket=...` (`s3+http://` for a plain-HTTP
    endpoint such as a local MinIO; no HOST for AWS's own endpoints). Keys are percent-encoded."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ImproperlyConfigured(
            f"STORAGE_URL must start with s3://, s3+https:// or s3+http://, not {parts.scheme!r}://."
        )
    bucket, _, rest = parts.path.strip("/").partition("/")
    if not bucket or rest:
        raise ImproperlyConfigured("STORAGE_URL must name exactly one bucket: s3://KEY:SECRET@HOST/BUCKET.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - _URL_QUERY_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL has unknown parameters {sorted(unknown)}; known: {sorted(_URL_QUERY_KEYS)}."
        )
    host = parts.hostname or ""
    return {
        "bucket": bucket,
        "private_bucket": query.get("private_bucket", ""),
        "endpoint_url": f"{_SCHEMES[parts.scheme]}://{parts.netloc.rpartition('@')[2]}" if host else "",
        "region": query.get("region", ""),
        "access_key": unquote(parts.username or ""),
        "secret_key": unquote(parts.password or ""),
        "addressing_style": query.get("addressing_style", ""),
    }


def object_storage_from_env(environ: Mapping[str, str]) -> dict | None:
    """The bucket settings from STORAGE_URL, completed by the AWS_* variables; None when no bucket is named."""
    url = _get(environ, "STORAGE_URL")
    found = _from_storage_url(url) if url else {}
    config = {
        "bucket": found.get("bucket") or _get(environ, "AWS_STORAGE_BUCKET_NAME"),
        "private_bucket": found.get("private_bucket") or _get(environ, "AWS_PRIVATE_STORAGE_BUCKET_NAME"),
        "endpoint_url": found.get("endpoint_url") or _get(environ, "AWS_S3_ENDPOINT_URL"),
        "region": found.get("region") or _get(environ, "AWS_S3_REGION_NAME"),
        "access_key": found.get("access_key") or _get(environ, "AWS_ACCESS_KEY_ID"),
        "secret_key": found.get("secret_key") or _get(environ, "AWS_SECRET_ACCESS_KEY"),
        "addressing_style": found.get("addressing_style") or _get(environ, "AWS_S3_ADDRESSING_STYLE"),
    }
    if not config["bucket"]:
        if any(_get(environ, name) for name in ("AWS_S3_ENDPOINT_URL", "AWS_PRIVATE_STORAGE_BUCKET_NAME")):
            raise ImproperlyConfigured("Object storage needs AWS_STORAGE_BUCKET_NAME (or STORAGE_URL).")
        return None
    if bool(config["access_key"]) != bool(config["secret_key"]):
        raise ImproperlyConfigured(
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (IAM role)."
        )
    # MinIO and most S3-compatible servers answer on one host for every bucket; AWS itself prefers
    # virtual-hosted names, which boto3 picks on its own.
    endpoint_host = urlsplit(config["endpoint_url"]).hostname or ""
    if (
        config["endpoint_url"]
        and not config["addressing_style"]
        and not endpoint_host.endswith(".amazonaws.com")
    ):
        config["addressing_style"] = "path"
    config["public_base_url"] = _public_base_url(environ)
    return config


def _public_base_url(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(url_protocol, custom_domain) for django-storages from PUBLIC_MEDIA_BASE_URL (a full URL: a CDN, an
    R2 public bucket domain, MinIO's address as browsers see it) or AWS_S3_CUSTOM_DOMAIN (a host name)."""
    base = _get(environ, "PUBLIC_MEDIA_BASE_URL")
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ImproperlyConfigured(
                "PUBLIC_MEDIA_BASE_URL must be an http(s) URL such as https://cdn.example.com."
            )
        return f"{parts.scheme}:", parts.netloc + parts.path.rstrip("/")
    domain = _get(environ, "AWS_S3_CUSTOM_DOMAIN")
    if domain:
        return _get(environ, "AWS_S3_URL_PROTOCOL") or "https:", domain.strip("/")
    return None


def storages_from_env(environ: Mapping[str, str]) -> dict:
    """The `default` (public) and `private` entries of STORAGES."""
    config = object_storage_from_env(environ)
    if config is None:
        return {alias: dict(entry) for alias, entry in LOCAL_STORAGES.items()}
    common = {
        "endpoint_url": config["endpoint_url"] or None,
        "region_name": config["region"] or None,
        "access_key": config["access_key"] or None,
        "secret_key": config["secret_key"] or None,
        "addressing_style": config["addressing_style"] or None,
    }
    public = {**common, "bucket_name": config["bucket"]}
    if config["public_base_url"]:
        public["url_protocol"], public["custom_domain"] = config["public_base_url"]
    private = {**common, "bucket_name": config["private_bucket"] or config["bucket"]}
    return {
        "default": {"BACKEND": "core.storage.PublicS3Storage", "OPTIONS": public},
        "private": {"BACKEND": "core.storage.PrivateS3Storage", "OPTIONS": private},
    }

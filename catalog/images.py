"""Product images as we store them: decoded and re-encoded by Pillow, never the client's bytes.

Re-encoding is what strips the metadata (EXIF with its GPS position, camera serial and dates, XMP, comments,
PNG text chunks): only pixels and the ICC colour profile are carried over, so colours do not shift. Decoding
the whole image also proves it is one: a file that merely starts like a PNG fails here.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps

from core.errors import DomainError
from core.files import validate_upload

from .errors import CatalogError

PRODUCT_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
PRODUCT_IMAGE_MAX_BYTES = 5 * 1024 * 1024
THUMBNAIL_MAX_WIDTH = 400
_UPLOAD_RULES = {
    "allowed": PRODUCT_IMAGE_TYPES,
    "max_bytes": PRODUCT_IMAGE_MAX_BYTES,
    "field": "image",
    "code": CatalogError.INVALID_IMAGE,
}
# Pillow format -> (file extension, options for `save`)
_FORMATS = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True, "progressive": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 85, "method": 4}),
}
_PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Modes each format stores as they are; anything else is converted first.
_KEEPS_MODE = {
    "JPEG": {"RGB", "L"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"},
    "WEBP": {"RGB", "RGBA"},
}


@dataclass(frozen=True)
class PreparedImage:
    extension: str
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _invalid(detail: str, message: str) -> DomainError:
    return DomainError(CatalogError.INVALID_IMAGE, detail, errors={"image": [message]})


def _decode(upload, pillow_format: str) -> Image.Image:
    """Open, check the size in pixels from the header alone, then decode every pixel."""
    max_pixels = settings.PRODUCT_IMAGE_MAX_PIXELS
    upload.seek(0)
    try:
        # Only the decoder the content was recognised as: no exotic format reaches Pillow's other plugins.
        image = Image.open(upload, formats=[pillow_format])
        width, height = image.size
        if width * height > max_pixels:
            raise _invalid(
                f"The image is {width}x{height} pixels; at most {max_pixels // 1_000_000} megapixels are accepted.",
                "Too many pixels.",
            )
        image.verify()  # structure and checksums; leaves the object unusable, so open again to decode
        upload.seek(0)
        image = Image.open(upload, formats=[pillow_format])
        image.load()
    except DomainError:
        raise
    except Image.DecompressionBombError as exc:  # pixels past Pillow's own cap (2 x MAX_IMAGE_PIXELS)
        raise _invalid("The image has far too many pixels.", "Too many pixels.") from exc
    except Exception as exc:  # noqa: BLE001 - whatever Pillow raises on a client's bytes means "not an image"
        raise _invalid(
            "The file is not a readable image.", "Upload a complete JPEG, PNG or WebP file."
        ) from exc
    return image


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _encode(image: Image.Image, pillow_format: str, icc_profile: bytes | None) -> bytes:
    options = dict(_FORMATS[pillow_format][1])
    if image.mode not in _KEEPS_MODE[pillow_format]:
        # e.g. a CMYK JPEG: its ICC profile describes the old colour space, so it is left behind too.
        image = image.convert("RGBA" if pillow_format != "JPEG" and _has_alpha(image) else "RGB")
        icc_profile = None
    if icc_profile:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, format=pillow_format, **options)
    return out.getvalue()


# Palette and 1-bit images would be resized without filtering: they are turned into full colour first.
_RESIZABLE_MODES = {"L", "LA", "RGB", "RGBA"}


def _thumbnail(image: Image.Image) -> Image.Image:
    if image.width <= THUMBNAIL_MAX_WIDTH:
        return image
    if image.mode not in _RESIZABLE_MODES:
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    height = max(1, round(image.height * THUMBNAIL_MAX_WIDTH / image.width))
    return image.resize((THUMBNAIL_MAX_WIDTH, height), Image.Resampling.LANCZOS)


def product_image_prepare(upload) -> PreparedImage:
    """The upload re-encoded without metadata, and its thumbnail (at most 400 px wide); 400 when it is not a
    JPEG/PNG/WebP image of at most 5 MB and PRODUCT_IMAGE_MAX_PIXELS pixels."""
    content_type = validate_upload(upload, **_UPLOAD_RULES)
    pillow_format = _PILLOW_FORMAT[content_type]
    image = _decode(upload, pillow_format)
    icc_profile = image.info.get("icc_profile")
    try:
        # The camera's orientation tag goes with the rest of EXIF: turn the pixels upright first.
        ImageOps.exif_transpose(image, in_place=True)
        image.info = {key: image.info[key] for key in ("transparency",) if key in image.info}
        encoded = _encode(image, pillow_format, icc_profile)
        thumbnail = _encode(_thumbnail(image), pillow_format, icc_profile)
    except Exception as exc:  # noqa: BLE001 - an odd mode or a broken EXIF block in a client's file
        raise _invalid(
            "The image could not be processed.", "Upload a standard JPEG, PNG or WebP file."
        ) from exc
    return PreparedImage(
        extension=_FORMATS[pillow_format][0],
        image=encoded,
        thumbnail=thumbnail,
        width=image.width,
        height=image.height,
    )

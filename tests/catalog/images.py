"""Real image files for upload tests, made with Pillow: a phone photo with its GPS position, a PNG, a WebP,
a file that only starts like a PNG, and a decompression bomb."""

import io
import struct
import zlib

from PIL import ExifTags, Image

# Nairobi, as a phone camera would record it.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "S",
    ExifTags.GPS.GPSLatitude: (1.0, 17.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (36.0, 49.0, 0.0),
}


def _picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Not a flat colour: a gradient, so re-encoding and resizing have something to work on."""
    image = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), image)).convert(mode)


def jpeg_with_gps(size: tuple[int, int] = (1600, 1200)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Camera 12"
    exif[ExifTags.Base.DateTime] = "2026:11:20 10:15:00"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    _picture(size).save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(size: tuple[int, int] = (900, 600), *, with_text: bool = True) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if with_text:
        info.add_text("Author", "someone@example.com")
        info.add_text("Location", "-1.2917,36.8167")
    out = io.BytesIO()
    _picture(size, "RGBA").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp(size: tuple[int, int] = (500, 300)) -> bytes:
    out = io.BytesIO()
    _picture(size).save(out, "WEBP")
    return out.getvalue()


PNG_HEADER_THEN_JUNK = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width x height white pixels: tens of kilobytes that decode to 400 megapixels."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte + one bit per pixel
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def gps_of(image: Image.Image) -> dict:
    return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))

"""Photos made at test time from the shared real photos: odd formats and hostile files."""

import io
import struct
import zlib

from PIL import Image


def encode(picture: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


# Formats Pillow reads that the site does not accept, each with its file extension. EPS matters
# most: Pillow would hand it to Ghostscript.
REFUSED_FORMATS = {
    "TIFF": "tif",
    "BMP": "bmp",
    "ICO": "ico",
    "TGA": "tga",
    "GIF": "gif",
    "EPS": "eps",
}


def in_format(jpeg: bytes, fmt: str) -> bytes:
    """The photo saved again, still, in another of Pillow's formats."""
    return encode(Image.open(io.BytesIO(jpeg)).convert("RGB"), fmt)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _uniform_png(width: int, height: int, depth: int, colour_type: int, row: bytes) -> bytes:
    """A PNG whose `height` rows are all `row` (filter byte included), deflated as it goes."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def one_colour_png(width: int = 7900, height: int = 7900, colour=(205, 120, 90)) -> bytes:
    """An RGB PNG of one colour: about 200 KB on disk, 187 MB once decoded (62 MP by default,
    under the 64 MP limit): the cheapest way to make a web process decode a lot."""
    # 8-bit RGB (colour type 2), every row the same.
    return _uniform_png(width, height, 8, 2, b"\x00" + bytes(colour) * width)


def phone_photo(jpeg: bytes, fmt: str = "JPEG", size=(3024, 4032)) -> bytes:
    """The photo scaled up to a 12 MP phone picture (portrait 3024x4032), as JPEG or HEIF."""
    picture = Image.open(io.BytesIO(jpeg)).convert("RGB").resize(size)
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
        # The fastest x265 preset: a 12 MP HEIC takes seconds instead of most of a minute.
        return encode(picture, "HEIF", quality=40, enc_params={"preset": "ultrafast"})
    return encode(picture, fmt, quality=88)


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG claiming a huge size, with a tiny (deflated) body: a decompression bomb."""
    # 1-bit greyscale (colour type 0), every row black.
    return _uniform_png(width, height, 1, 0, b"\x00" + b"\x00" * ((width + 7) // 8))


def with_gps_exif(jpeg: bytes) -> bytes:
    """The same photo carrying a GPS position and a camera model in its EXIF."""
    picture = Image.open(io.BytesIO(jpeg))
    exif = Image.Exif()
    exif[0x0110] = "Lookalike Test Camera"  # Model
    gps = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    exif[0x8825] = gps
    return encode(picture, "JPEG", exif=exif, quality=92)


def animated_gif(jpeg: bytes) -> bytes:
    still = Image.open(io.BytesIO(jpeg)).convert("RGB")
    return encode(still, "GIF", save_all=True, append_images=[still.rotate(10)], duration=200)


def animated_png(jpeg: bytes) -> bytes:
    still = Image.open(io.BytesIO(jpeg)).convert("RGB")
    return encode(still, "PNG", save_all=True, append_images=[still.rotate(10)], duration=200)


def heic(jpeg: bytes) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return encode(Image.open(io.BytesIO(jpeg)).convert("RGB"), "HEIF", quality=85)


def collage(faces: list[bytes], columns: int, side: int = 200) -> bytes:
    """Face photos side by side on a grid: one photo with len(faces) faces."""
    rows = -(-len(faces) // columns)
    sheet = Image.new("RGB", (columns * side, rows * side), (235, 235, 235))
    for number, data in enumerate(faces):
        tile = Image.open(io.BytesIO(data)).convert("RGB").resize((side, side))
        sheet.paste(tile, ((number % columns) * side, (number // columns) * side))
    return encode(sheet, "JPEG", quality=90)

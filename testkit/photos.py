"""Photos made at test time from the shared real photos: odd formats and hostile files."""

import io
import struct
import zlib

from PIL import Image


def encode(picture: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG claiming a huge size, with a tiny (deflated) body: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


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

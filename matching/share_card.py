"""The picture a shared result shows on social sites (Open Graph, 1200x630)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 1200, 630
BACKGROUND = (24, 26, 38)
ACCENT = (255, 196, 61)
TEXT = (245, 245, 250)
MUTED = (170, 174, 190)
FONT_FILE = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans-Bold.ttf"


def _font(size: int) -> ImageFont.FreeTypeFont:
    if FONT_FILE.exists():
        return ImageFont.truetype(str(FONT_FILE), size)
    return ImageFont.load_default(size=size)


def _portrait(face: Image.Image | None, side: int) -> Image.Image:
    if face is None:
        blank = Image.new("RGB", (side, side), (48, 52, 70))
        ImageDraw.Draw(blank).text(
            (side // 2, side // 2), "?", fill=MUTED, font=_font(160), anchor="mm"
        )
        return blank
    return ImageOps.fit(face.convert("RGB"), (side, side), Image.Resampling.LANCZOS)


def _fit_text(
    draw: ImageDraw.ImageDraw, text: str, width: int, start: int
) -> ImageFont.FreeTypeFont:
    size = start
    while size > 24 and draw.textlength(text, font=_font(size)) > width:
        size -= 4
    return _font(size)


def share_card(
    *,
    actor_name: str,
    similarity: float,
    actor_face: Image.Image | None,
    visitor_face: Image.Image | None = None,
) -> bytes:
    """JPEG bytes: the actor's reference face, name and percentage; the visitor's face only when
    they asked for it."""
    card = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(card)
    side = 470
    top = (HEIGHT - side) // 2
    if visitor_face is not None:
        small = 330
        card.paste(_portrait(visitor_face, small), (60, (HEIGHT - small) // 2))
        card.paste(_portrait(actor_face, small), (60 + small + 20, (HEIGHT - small) // 2))
        text_left = 60 + 2 * small + 60
    else:
        card.paste(_portrait(actor_face, side), (80, top))
        text_left = 80 + side + 60
    text_width = WIDTH - text_left - 50

    draw.text((text_left, 150), "looks like", fill=MUTED, font=_font(40))
    name_font = _fit_text(draw, actor_name or "an actor", text_width, 72)
    draw.text((text_left, 205), actor_name or "an actor", fill=TEXT, font=name_font)
    draw.text((text_left, 320), f"{similarity:.0f}%", fill=ACCENT, font=_font(120))
    draw.text((text_left, HEIGHT - 90), "Lookalike", fill=MUTED, font=_font(34))

    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()

"""The pictures a result is shared with: a 1200x630 card for links on social sites (Open Graph)
and a 1080x1920 story card for phones, one pair per face.

What they say comes from `card_lines`, a pure function shared with the page's meta tags, so the
picture, its description and the link preview always agree with the results page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 1200, 630
STORY_WIDTH, STORY_HEIGHT = 1080, 1920
BACKGROUND = (24, 26, 38)
PANEL = (48, 52, 70)
ACCENT = (255, 196, 61)
TEXT = (245, 245, 250)
MUTED = (170, 174, 190)
FONT_FILE = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans-Bold.ttf"
# A reference face is enlarged at most this much: more and it looks blurred.
MAX_UPSCALE = 1.6
# The story picture's lone actor face: the largest any face is drawn on a picture.
LARGEST_PORTRAIT = 760


@dataclass(frozen=True)
class CardLines:
    """What a share picture says, line by line, and how to describe it to those who cannot see
    it. `score` is empty for a weak match: the card then announces no confident percentage."""

    lead: str
    score: str
    joint: str
    name: str
    detail: str
    alt: str
    title: str


def card_lines(*, actor_name: str, similarity: float, weak: bool, with_face: bool) -> CardLines:
    """The card's wording, in agreement with the results page (third person: the card is for
    whoever the link is shared with)."""
    name = actor_name or "an actor"
    percent = f"{similarity:.0f}%"
    if weak:
        shown = f"{name}'s face" + (" beside the visitor's face" if with_face else "")
        return CardLines(
            lead="No strong lookalike",
            score="",
            joint="closest:",
            name=name,
            detail=percent,
            alt=f"{shown}: no strong lookalike, the closest is {name} at {percent}",
            title=f"No strong lookalike — closest: {name}, {percent}",
        )
    subject = "This face" if with_face else "Someone"
    if with_face:
        alt = f"A visitor's face beside {name}'s: this face looks {percent} like {name}"
    else:
        alt = f"{name}'s face: someone looks {percent} like {name}"
    return CardLines(
        lead=f"{subject} looks",
        score=percent,
        joint="like",
        name=name,
        detail="",
        alt=alt,
        title=f"Looks {percent} like {name}",
    )


def credit_line(image) -> str:
    """The reference photo's credit as its page shows it: author and licence."""
    if image is None:
        return ""
    parts = [f"Photo: {image.attribution}" if image.attribution else "", image.licence]
    return ", ".join(part for part in parts if part)


def _font(size: int) -> ImageFont.FreeTypeFont:
    if FONT_FILE.exists():
        return ImageFont.truetype(str(FONT_FILE), size)
    return ImageFont.load_default(size=size)


def _portrait(face: Image.Image | None, side: int) -> Image.Image:
    """The face filling a square of `side`, or for a small source a smaller square (no more
    than MAX_UPSCALE times its size) centred on a panel of that side."""
    panel = Image.new("RGB", (side, side), PANEL)
    if face is None:
        ImageDraw.Draw(panel).text(
            (side // 2, side // 2), "?", fill=MUTED, font=_font(side // 3), anchor="mm"
        )
        return panel
    face = face.convert("RGB")
    shown = min(side, round(min(face.size) * MAX_UPSCALE))
    fitted = ImageOps.fit(face, (shown, shown), Image.Resampling.LANCZOS)
    panel.paste(fitted, ((side - shown) // 2, (side - shown) // 2))
    return panel


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, start: int, least: int = 20):
    size = start
    while size > least and draw.textlength(text, font=_font(size)) > width:
        size -= 2
    return _font(size)


def _shorten(draw: ImageDraw.ImageDraw, text: str, width: int, font) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def _jpeg(card: Image.Image) -> bytes:
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=88, optimize=True)
    return buffer.getvalue()


def share_card(
    *,
    lines: CardLines,
    actor_face: Image.Image | None,
    visitor_face: Image.Image | None = None,
    credit: str = "",
) -> bytes:
    """JPEG bytes, 1200x630: the actor's reference face (beside the visitor's, only when they
    chose to show it), the wording of `lines` and the reference photo's credit."""
    card = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(card)
    if visitor_face is not None:
        side = 330
        top = (HEIGHT - side) // 2 - 10
        card.paste(_portrait(visitor_face, side), (50, top))
        card.paste(_portrait(actor_face, side), (50 + side + 16, top))
        text_left = 50 + 2 * side + 16 + 44
    else:
        side = 470
        card.paste(_portrait(actor_face, side), (70, (HEIGHT - side) // 2 - 10))
        text_left = 70 + side + 56
    width = WIDTH - text_left - 40

    y = 130 if lines.score else 170
    lead = _fit(draw, lines.lead, width, 44)
    draw.text((text_left, y), lines.lead, fill=MUTED if lines.score else TEXT, font=lead)
    y += 70
    if lines.score:
        draw.text((text_left, y), lines.score, fill=ACCENT, font=_font(120))
        y += 140
    draw.text((text_left, y), lines.joint, fill=MUTED, font=_font(36))
    y += 50
    name_font = _fit(draw, lines.name, width, 64, least=28)
    name = _shorten(draw, lines.name, width, name_font)
    draw.text((text_left, y), name, fill=TEXT, font=name_font)
    if lines.detail:
        draw.text((text_left, y + 80), lines.detail, fill=MUTED, font=_font(56))
    draw.text((text_left, HEIGHT - 84), "Lookalike", fill=ACCENT, font=_font(32))
    if credit:
        small = _font(16)
        draw.text(
            (50, HEIGHT - 30), _shorten(draw, credit, WIDTH - 100, small), fill=MUTED, font=small
        )
    return _jpeg(card)


def story_card(
    *,
    lines: CardLines,
    actor_face: Image.Image | None,
    visitor_face: Image.Image | None = None,
    credit: str = "",
) -> bytes:
    """JPEG bytes, 1080x1920 (9:16, as phones' stories): the same faces and wording as
    `share_card`, stacked for a tall screen."""
    card = Image.new("RGB", (STORY_WIDTH, STORY_HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(card)
    centre = STORY_WIDTH // 2
    draw.text((centre, 170), "Lookalike", fill=ACCENT, font=_font(64), anchor="mm")
    side = 460 if visitor_face is not None else LARGEST_PORTRAIT
    # The faces and the words, centred as one block below the name of the site.
    block = side + 110 + (210 if lines.score else 0) + 100 + (120 if lines.detail else 0) + 60
    top = max(300, (STORY_HEIGHT - block) // 2 + 40)
    if visitor_face is not None:
        card.paste(_portrait(visitor_face, side), (centre - side - 20, top))
        card.paste(_portrait(actor_face, side), (centre + 20, top))
    else:
        card.paste(_portrait(actor_face, side), (centre - side // 2, top))
    y = top + side + 110
    width = STORY_WIDTH - 120
    draw.text(
        (centre, y),
        lines.lead,
        fill=MUTED if lines.score else TEXT,
        font=_fit(draw, lines.lead, width, 72),
        anchor="mm",
    )
    y += 110
    if lines.score:
        draw.text((centre, y + 40), lines.score, fill=ACCENT, font=_font(200), anchor="mm")
        y += 210
    draw.text((centre, y), lines.joint, fill=MUTED, font=_font(56), anchor="mm")
    y += 100
    name_font = _fit(draw, lines.name, width, 96, least=36)
    name = _shorten(draw, lines.name, width, name_font)
    draw.text((centre, y), name, fill=TEXT, font=name_font, anchor="mm")
    if lines.detail:
        draw.text((centre, y + 120), lines.detail, fill=MUTED, font=_font(88), anchor="mm")
    if credit:
        small = _font(24)
        text = _shorten(draw, credit, width, small)
        draw.text((centre, STORY_HEIGHT - 80), text, fill=MUTED, font=small, anchor="mm")
    return _jpeg(card)

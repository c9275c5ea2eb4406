"""Reads from Wikidata and Wikimedia Commons: an actor's item by IMDb id (P345), its images
(P18), and each file's thumbnail, licence and credit (imageinfo with extmetadata).

Both endpoints are settings (LOOKALIKE_WIKIDATA_API, LOOKALIKE_COMMONS_API); every request
carries LOOKALIKE_HTTP_USER_AGENT, as Wikimedia's policy asks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import strip_tags

from .downloads import HttpClient

IMDB_ID = "P345"
IMAGE = "P18"
THUMBNAIL_WIDTH = 1000
# Commons' short names of the licences we accept: CC0, public domain, CC BY and CC BY-SA of any
# version and jurisdiction ("CC BY-SA 2.0 fr"). Anything else (NC, ND, GFDL, fair use,
# "copyrighted free use"...) is refused with its name.
FREE_LICENCE = re.compile(
    r"""^(?:
        cc0(?:\s*1\.0)?(?:\s+universal)?
      | public\s+domain(?:\s+mark)?(?:\s*1\.0)?
      | pd(?:-[\w-]+)?
      | cc[\s-]by(?:[\s-]sa)?(?:[\s-]\d(?:\.\d)?)?(?:[\s-][a-z]{2,3})?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
ACCEPTED_LICENCES = "CC0, public domain, CC BY, CC BY-SA"


@dataclass(frozen=True)
class CommonsFile:
    title: str  # "File:Name.jpg"
    image_url: str  # the thumbnail about THUMBNAIL_WIDTH wide (the original if smaller)
    page_url: str  # the file's description page: its licence, author and history
    licence: str
    licence_url: str
    artist: str
    credit: str

    @property
    def free(self) -> bool:
        return licence_is_free(self.licence)

    @property
    def attribution(self) -> str:
        if self.artist and self.credit and self.credit not in self.artist:
            return f"{self.artist} ({self.credit})"
        return self.artist or self.credit or "Unknown author"


def licence_is_free(short_name: str) -> bool:
    return bool(FREE_LICENCE.match(" ".join(short_name.split())))


def web_address(value: str) -> str:
    """Only http(s) addresses are kept: they become links on the site."""
    value = value.strip()
    if value.startswith("//"):  # Commons writes protocol-relative links
        value = "https:" + value
    return value if value.startswith(("https://", "http://")) else ""


def plain_text(value: str) -> str:
    """Commons' metadata is HTML (links to user pages, spans): keep the words only."""
    return " ".join(html.unescape(strip_tags(value or "")).split())


class Wikimedia:
    def __init__(self, client: HttpClient | None = None):
        self.client = client or HttpClient()

    def item_for_imdb_id(self, imdb_id: str) -> str | None:
        """The Wikidata item ("Q38111") whose IMDb id is this one, or None."""
        answer = self.client.get_json(
            settings.LOOKALIKE_WIKIDATA_API,
            {
                "action": "query",
                "list": "search",
                "srsearch": f"haswbstatement:{IMDB_ID}={imdb_id}",
                "srnamespace": 0,
                "srlimit": 1,
                "srprop": "",
                "format": "json",
                "formatversion": 2,
            },
        )
        hits = answer.get("query", {}).get("search", [])
        return hits[0]["title"] if hits else None

    def item_images(self, item: str, imdb_id: str) -> list[str] | None:
        """The item's P18 file names, preferred first, or None when the item turns out not to
        carry this IMDb id (the search index can lag behind an edit)."""
        answer = self.client.get_json(
            settings.LOOKALIKE_WIKIDATA_API,
            {
                "action": "wbgetentities",
                "ids": item,
                "props": "claims",
                "format": "json",
                "formatversion": 2,
            },
        )
        claims = answer.get("entities", {}).get(item, {}).get("claims", {})
        if imdb_id not in _claim_values(claims.get(IMDB_ID, [])):
            return None
        return _claim_values(claims.get(IMAGE, []))

    def files(self, names: list[str]) -> list[CommonsFile]:
        """Licence, credit and thumbnail of each file, in the order asked; files Commons does
        not have are left out."""
        if not names:
            return []
        titles = [f"File:{name}" for name in names]
        answer = self.client.get_json(
            settings.LOOKALIKE_COMMONS_API,
            {
                "action": "query",
                "prop": "imageinfo",
                "titles": "|".join(titles),
                "iiprop": "url|extmetadata",
                "iiurlwidth": THUMBNAIL_WIDTH,
                "iiextmetadatafilter": "LicenseShortName|LicenseUrl|Artist|Credit",
                "iiextmetadatalanguage": "en",
                "format": "json",
                "formatversion": 2,
            },
        )
        query = answer.get("query", {})
        renamed = {n["from"]: n["to"] for n in query.get("normalized", [])}
        pages = {page.get("title"): page for page in query.get("pages", [])}
        found = []
        for title in titles:
            page = pages.get(renamed.get(title, title), {})
            info = (page.get("imageinfo") or [None])[0]
            commons_file = _commons_file(page["title"], info) if info else None
            if commons_file and commons_file.image_url:
                found.append(commons_file)
        return found


def _claim_values(claims: list[dict]) -> list[str]:
    """Values of a property's statements, preferred rank first, deprecated ones left out."""
    ranked = sorted(
        (c for c in claims if c.get("rank") != "deprecated"),
        key=lambda c: c.get("rank") != "preferred",
    )
    values = []
    for claim in ranked:
        snak = claim.get("mainsnak", {})
        value = snak.get("datavalue", {}).get("value")
        if snak.get("snaktype") == "value" and isinstance(value, str):
            values.append(value)
    return values


def _commons_file(title: str, info: dict) -> CommonsFile:
    meta = info.get("extmetadata", {})

    def field(name: str) -> str:
        return plain_text(str(meta.get(name, {}).get("value", "")))

    return CommonsFile(
        title=title,
        image_url=web_address(info.get("thumburl") or info.get("url", "")),
        page_url=web_address(info.get("descriptionurl", "")),
        licence=field("LicenseShortName"),
        licence_url=web_address(field("LicenseUrl")),
        artist=field("Artist"),
        credit=field("Credit"),
    )

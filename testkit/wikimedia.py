"""Wikidata and Wikimedia Commons as the Commons importer meets them, served on loopback by a
FakeWeb: the search by IMDb id (haswbstatement), wbgetentities' claims, Commons' imageinfo with
extmetadata, and the thumbnails. Answers have the real services' shapes (formatversion=2).

Like Wikimedia, it refuses requests without a descriptive User-Agent (403)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from .web import Answer, FakeWeb, Seen

WIKIDATA_PATH = "/wikidata/w/api.php"
COMMONS_PATH = "/commons/w/api.php"
GENERIC_AGENTS = re.compile(r"^(python-requests|python-urllib|curl|Wget)/", re.IGNORECASE)


@dataclass
class CommonsPhoto:
    photo: bytes
    licence: str = "CC BY-SA 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by-sa/4.0"
    artist: str = '<a href="//commons.wikimedia.org/wiki/User:Example">Example Person</a>'
    credit: str = '<span class="int-own-work" lang="en">Own work</span>'


@dataclass
class FakeWikimedia:
    web: FakeWeb
    items: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # IMDb id: (Q, files)
    files: dict[str, CommonsPhoto] = field(default_factory=dict)  # "Name.jpg": photo
    broken: set[str] = field(default_factory=set)  # IMDb ids whose search gets an HTML page
    # Called with the IMDb id of each search before it is answered, in the server's thread: a
    # test can hold the answer there, or interrupt the importer while it waits for it.
    on_search: Callable[[str], None] | None = None

    def __post_init__(self):
        self.web.route(WIKIDATA_PATH, self._wikidata)
        self.web.route(COMMONS_PATH, self._commons)

    @property
    def wikidata_api(self) -> str:
        return self.web.url(WIKIDATA_PATH)

    @property
    def commons_api(self) -> str:
        return self.web.url(COMMONS_PATH)

    def person(self, imdb_id: str, item: str, files: dict[str, CommonsPhoto]) -> None:
        self.items[imdb_id] = (item, list(files))
        for name, photo in files.items():
            self.files[name] = photo
            self.web.route(self._thumb_path(name), Answer(body=photo.photo))

    def thumb_url(self, name: str) -> str:
        return self.web.url(self._thumb_path(name))

    @staticmethod
    def _thumb_path(name: str) -> str:
        return "/upload/thumb/" + quote(name.replace(" ", "_")) + "/1000px.jpg"

    @staticmethod
    def _refused(seen: Seen) -> Answer | None:
        agent = seen.headers.get("user-agent", "")
        if not agent or GENERIC_AGENTS.match(agent):
            return Answer(403, b"Please set a user-agent and respect our robot policy.")
        return None

    def _wikidata(self, seen: Seen) -> Answer:
        if refused := self._refused(seen):
            return refused
        query = seen.query
        if query.get("action") == "query" and query.get("list") == "search":
            imdb_id = query["srsearch"].removeprefix("haswbstatement:P345=")
            if self.on_search:
                self.on_search(imdb_id)
            if imdb_id in self.broken:
                return Answer(body=b"<html><body>Wikimedia Error</body></html>")
            hits = [{"ns": 0, "title": self.items[imdb_id][0]}] if imdb_id in self.items else []
            return _json({"batchcomplete": True, "query": {"search": hits}})
        if query.get("action") == "wbgetentities":
            item = query["ids"]
            for imdb_id, (known, files) in self.items.items():
                if known == item:
                    claims = {
                        "P345": [_statement("P345", imdb_id, "external-id")],
                        "P18": [_statement("P18", name, "commonsMedia") for name in files],
                    }
                    entity = {"type": "item", "id": item, "claims": claims}
                    return _json({"entities": {item: entity}, "success": 1})
            return _json({"error": {"code": "no-such-entity", "info": f"Could not find {item}"}})
        return _json({"error": {"code": "badvalue", "info": "unexpected request"}})

    def _commons(self, seen: Seen) -> Answer:
        if refused := self._refused(seen):
            return refused
        query = seen.query
        if query.get("prop") != "imageinfo" or "extmetadata" not in query.get("iiprop", ""):
            return _json({"error": {"code": "badvalue", "info": "unexpected request"}})
        normalized, pages = [], []
        for title in query["titles"].split("|"):
            clean = title.replace("_", " ")
            if clean != title:
                normalized.append({"fromencoded": False, "from": title, "to": clean})
            name = clean.removeprefix("File:")
            photo = self.files.get(name)
            if photo is None:
                pages.append({"ns": 6, "title": clean, "missing": True})
                continue
            meta = {
                "LicenseShortName": photo.licence,
                "LicenseUrl": photo.licence_url,
                "Artist": photo.artist,
                "Credit": photo.credit,
            }
            info = {
                "thumburl": self.thumb_url(name),
                "thumbwidth": int(query.get("iiurlwidth", 0)),
                "url": self.thumb_url(name),
                "descriptionurl": "https://commons.wikimedia.org/wiki/"
                + quote(clean.replace(" ", "_"), safe=":/"),
                "extmetadata": {
                    key: {"value": value, "source": "commons-desc-page"}
                    for key, value in meta.items()
                    if value
                },
            }
            pages.append({"ns": 6, "title": clean, "imagerepository": "local", "imageinfo": [info]})
        body = {"batchcomplete": True, "query": {"normalized": normalized, "pages": pages}}
        return _json(body)


def _statement(prop: str, value: str, datatype: str) -> dict:
    return {
        "mainsnak": {
            "snaktype": "value",
            "property": prop,
            "datavalue": {"value": value, "type": "string"},
            "datatype": datatype,
        },
        "type": "statement",
        "rank": "normal",
    }


def _json(body: dict) -> Answer:
    return Answer(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

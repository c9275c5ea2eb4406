"""Post a photo through the upload form in this process and report what the request added to the
process's peak memory, as JSON. Run by a test, in a process of its own:

    python -m testkit.upload_peak_memory PHOTO

Everything the request writes is rolled back and nothing is queued.
"""

import io
import json
import re
import sys
from pathlib import Path


def peak_kilobytes() -> int:
    """The process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over
    from the parent across fork and exec, so a child of a big test process starts at its peak."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))


def main(photo: Path) -> dict:
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client

    from matching.models import Match

    client = Client()
    assert client.get("/").status_code == 200  # loads the views, templates and engine first
    upload = io.BytesIO(photo.read_bytes())
    upload.name = photo.name
    before = peak_kilobytes()
    with transaction.atomic():
        response = client.post("/", {"photo": upload})
        after = peak_kilobytes()
        match = Match.objects.order_by("-pk").first()
        report = {
            "status": response.status_code,
            "kept_as_sent": bool(match and match.original),
            "stored_copy": bool(match and match.photo),
            "added_peak_mb": (after - before) / 1024,
        }
        transaction.set_rollback(True)
    return report


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))

"""What the catalogue tells the layers above it, without knowing who listens."""

from django.dispatch import Signal

# Sent after an import added photos; `count` says how many. Curation listens (suspects check).
photos_added = Signal()

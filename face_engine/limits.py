"""The face engine's constants, defined once: settings, the catalogue and curation read them here.

This module imports nothing, so Django settings can read it without loading the engine.
"""

# dlib's encoder gives 128 numbers per face.
EMBEDDING_SIZE = 128
# Two photos of the same person usually lie closer than this (Euclidean distance).
SAME_PERSON_DISTANCE = 0.6
# Enough for a 48 MP phone photo; a 20000x20000 image (400 MP) is refused before decoding.
DEFAULT_MAX_PIXELS = 64_000_000
# Long side, in pixels, of the copy that faces are detected and encoded on. See docs/benchmarks.md.
WORKING_SIZE = 1024
# A JPEG may decode at a reduced scale to as little as this share of the working size, rather
# than at twice that scale and then be shrunk: a 4032 px phone photo decodes at a quarter
# (1008 px) in half the time of a half-scale decode (docs/benchmarks.md, "Detection in two passes").
DRAFT_SLACK = 0.875
# annoy trees per index build: none by default, since the search is an exact scan with an error
# bound (face_engine/quantized_scan.py); annoy is kept for approximate_search and benchmarks.
DEFAULT_TREES = 0

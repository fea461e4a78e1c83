"""Imported once by the worker pool's fork server, so every worker shares these pages.

Loading langdetect's language profiles and trafilatura here, before the workers fork, means
two workers cost little more memory than one (gc.freeze keeps those pages shared).
"""

import gc

from langdetect import detector_factory

import crawler.langid
import crawler.process.chain  # noqa: F401  (trafilatura, lxml, the field finders, langdetect)
from crawler.fields.dates.library import warm_up_library
from crawler.memory import pin_malloc_thresholds
from crawler.process.extract import warm_up_extraction

detector_factory.init_factory()
warm_up_library()  # htmldate's dateparser, loaded on its first search
warm_up_extraction()  # trafilatura's justext stoplists, built on its first fallback
pin_malloc_thresholds()
# Keep the garbage collector off these objects: its bookkeeping writes to every object it
# scans, which would give each forked worker its own copy of the pages they live on.
gc.freeze()

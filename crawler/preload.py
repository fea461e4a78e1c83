"""Imported once by the worker pool's fork server, so every worker shares these pages.

Loading langdetect's language profiles and trafilatura here, before the workers fork, means
two workers cost little more memory than one.
"""

from langdetect import detector_factory

import crawler.langid  # noqa: F401  (numpy)
import pipelines.worker  # noqa: F401  (trafilatura, lxml, the field finders, langdetect)

detector_factory.init_factory()

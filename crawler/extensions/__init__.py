"""Signal-driven crawl components: the crawl-run row and rejections (and the crawl's archive
writer), the run lock's watch, the progress line."""

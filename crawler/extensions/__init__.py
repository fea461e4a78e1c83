"""Signal-driven crawl components (crawl-run rows, rejections)."""

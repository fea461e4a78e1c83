"""Pure functions that find and normalise one article field each (string or tree in, value out)."""

"""Pure geometry functions on shapely/pyproj (no Qt, no file I/O)."""

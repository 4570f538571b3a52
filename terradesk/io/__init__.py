"""Project files, importers and exporters: the only place that touches files (fiona/pyogrio/sqlite)."""

"""The TerraDesk project file: one GeoPackage per project, written and read with sqlite3.

``save_project`` writes atomically (see :mod:`.atomic`); ``open_project`` reads
read-only and maps every failure to a class in :mod:`terradesk.io.errors`.
"""

from terradesk.io.gpkg.atomic import FileIdentity, save_project
from terradesk.io.gpkg.opener import OpenResult, open_project

__all__ = ["FileIdentity", "OpenResult", "open_project", "save_project"]

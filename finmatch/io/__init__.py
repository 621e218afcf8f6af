"""Import and export of the v1 interchange format (JSON, CSV, XLSX; English or Chinese headers)."""

from finmatch.io.exporter import to_csv, to_json, to_xlsx
from finmatch.io.importer import ImportReport, import_paths, import_read
from finmatch.io.readers import read_paths, read_upload

__all__ = ["ImportReport", "import_paths", "import_read", "read_paths", "read_upload", "to_csv", "to_json",
           "to_xlsx"]

"""Every import test keeps its uploads (and the server's import slots) in a folder of its own: test runs
side by side on one machine neither see nor hold each other's files and slots."""
import pytest


@pytest.fixture(autouse=True)
def _own_upload_folder(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"

"""Test settings: SQLite by default, PostgreSQL when COMPTOIR_TEST_DATABASE_URL is set."""

import os
import tempfile
from pathlib import Path

from comptoir.settings import *  # noqa: F403
from comptoir.settings import database_from_url

_test_url = os.environ.get("COMPTOIR_TEST_DATABASE_URL")
if _test_url:
    DATABASES = {"default": database_from_url(_test_url)}
else:
    _dir = tempfile.mkdtemp(prefix="comptoir-test-")
    DATABASES = {"default": database_from_url(f"sqlite:///{_dir}/test.sqlite3")}
    DATABASES["default"]["TEST"] = {"NAME": f"{_dir}/test.sqlite3"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBUG = False
SECRET_KEY = "comptoir-test-key-only-for-the-test-suite-never-in-production"
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
# Jobs run at once, in the test's own process and transaction.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Uploaded and generated files (imports, documents) go to a folder of the test run.
MEDIA_ROOT = tempfile.mkdtemp(prefix="comptoir-test-media-")
# Jobs run at once in tests: the PDFs of thousands of issued invoices would be made inline.
COMPTOIR_STORE_FILES_AFTER_ISSUE = False
# No signing key unless a test makes one (in its own folder).
COMPTOIR_SIGNING_KEY = Path(tempfile.mkdtemp(prefix="comptoir-test-key-")) / "signing-key.pem"
# The platform secret's key, in a folder of the test run.
COMPTOIR_PLATFORM_KEY = Path(tempfile.mkdtemp(prefix="comptoir-test-key-")) / "platform-key"

from tests.core.s3 import s3_server, s3_storages  # noqa: F401 (fixtures)

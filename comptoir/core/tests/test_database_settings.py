from comptoir.settings import database_from_url


def test_a_database_server_connection_is_kept_between_requests_and_checked_before_reuse():
    config = database_from_url("postgres://comptoir@127.0.0.1:5432/comptoir")
    assert config["CONN_MAX_AGE"] >= 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_a_sqlite_file_is_opened_per_request_as_before():
    assert database_from_url("sqlite:////tmp/x.sqlite3")["CONN_MAX_AGE"] == 0

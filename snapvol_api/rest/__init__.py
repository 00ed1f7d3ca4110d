"""The REST APIs: shared WSGI pieces here, one package per API."""

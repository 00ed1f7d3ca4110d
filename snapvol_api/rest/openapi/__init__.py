"""OpenAPI 3.1 documents of the volume and compute APIs.

Each API's module declares its operations: request bodies are the JSON
schemas its ``schemas`` module validates requests with, response bodies
the shapes its ``views`` build. Served at GET /openapi.json; the unit
tests check every route and every response the API tests see against
them.
"""

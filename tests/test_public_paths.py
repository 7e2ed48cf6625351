"""Which paths skip sign-in: Litestar searches the exclusion patterns anywhere in a path, so they are anchored."""

from __future__ import annotations

import re

import pytest

from web.auth import PUBLIC_PATHS


def _public(path: str) -> bool:
    return any(re.search(pattern, path) for pattern in PUBLIC_PATHS)


@pytest.mark.parametrize("path", ["/", "/api/auth/login", "/api/public/lookup", "/open311/v2/services.xml",
                                  "/api/reference/areas", "/schema/openapi.json", "/health", "/ready", "/metrics",
                                  "/static/board/board.js"])
def test_public_paths_are_public(path):
    assert _public(path)


@pytest.mark.parametrize("path", ["/api/tickets/", "/api/admin/open311/keys", "/api/tickets/api/public/x",
                                  "/api/admin/x/open311/", "/console/", "/api/measures/health",
                                  "/api/reference/categories", "/api/auth/loginx"])
def test_staff_paths_are_not(path):
    assert not _public(path)


def test_a_staff_path_ending_in_a_slash_still_asks_for_a_token(client):
    response = client.get("/api/admin/open311/keys/")
    assert response.status_code == 401

"""openapi.yaml documents exactly the routes the sandbox serves."""

from __future__ import annotations

import re

import yaml
from conftest import ROOT

from account_api.app import create_app
from account_api.settings import Settings


def test_openapi_matches_the_routes(tmp_path):
    spec = yaml.safe_load((ROOT / "account_api" / "openapi.yaml").read_text(encoding="utf-8"))
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    app = create_app(Settings(db_path=tmp_path / "unused.sqlite3"), name="account_api_contract_test")
    served = {
        ("/" + re.sub(r"<(\w+)(:\w+)?>", r"{\1}", route.path), method)
        for route in app.router.routes
        for method in route.methods
    }
    assert documented == served


def test_readme_lists_every_route():
    readme = (ROOT / "account_api" / "README.md").read_text(encoding="utf-8")
    spec = yaml.safe_load((ROOT / "account_api" / "openapi.yaml").read_text(encoding="utf-8"))
    for path in spec["paths"]:
        assert path.replace("{verification_id}", "{id}") in readme, path

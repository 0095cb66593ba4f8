"""Server-rendered pages share one Jinja environment, with `t()` for catalog text."""

from __future__ import annotations

from typing import Any

from fastapi.templating import Jinja2Templates

from api.config import ROOT
from api.i18n.catalog import program_args, render

templates = Jinja2Templates(directory=str(ROOT / "api" / "templates"))


def _t(key: str, language: str, **args: Any) -> str:
    return render(key, language, {**program_args(), **args}).text


templates.env.globals["t"] = _t

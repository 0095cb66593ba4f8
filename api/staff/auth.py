"""Staff authentication: `Authorization: Bearer <api key>` resolves to one organization."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.staff import service as staff
from api.staff.models import Organization

bearer = HTTPBearer(auto_error=False)


def current_org(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    db_session: Annotated[Session, Depends(session_dependency)],
) -> Organization:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "missing API key", headers={"WWW-Authenticate": "Bearer"})
    org = staff.org_for_api_key(credentials.credentials, db_session=db_session)
    if org is None:
        raise HTTPException(401, "invalid API key", headers={"WWW-Authenticate": "Bearer"})
    return org


CurrentOrg = Annotated[Organization, Depends(current_org)]

"""Case managers see only their own organization's handoffs, with a valid API key."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.staff import service as staff


def test_handoffs_are_scoped_to_the_callers_organization(client, db: Session) -> None:
    mine = staff.create_org("mine", "Mine", db_session=db)
    theirs = staff.create_org("theirs", "Theirs", db_session=db)
    key = staff.create_api_key(mine, "test", db_session=db)
    p1, p2 = Participant(org_id=mine.id), Participant(org_id=theirs.id)
    db.add_all([p1, p2])
    db.flush()
    own = handoffs.flag(p1, None, "crisis", db_session=db, urgent=True)
    other = handoffs.flag(p2, None, "homeless", db_session=db, urgent=True)
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}

    listing = client.get("/api/v1/handoffs", headers=headers)
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [h["id"] for h in items] == [own.id]
    assert items[0]["urgent"] is True
    assert items[0]["reasons"] == ["crisis"]
    assert client.get(f"/api/v1/handoffs/{own.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/handoffs/{other.id}", headers=headers).status_code == 404


def test_missing_wrong_or_revoked_keys_are_refused(client, db: Session) -> None:
    org = staff.create_org("org", "Org", db_session=db)
    key = staff.create_api_key(org, "test", db_session=db)
    db.commit()
    assert client.get("/api/v1/handoffs").status_code == 401
    assert (
        client.get("/api/v1/handoffs", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    assert staff.revoke_api_key(key, db_session=db)
    db.commit()
    assert (
        client.get("/api/v1/handoffs", headers={"Authorization": f"Bearer {key}"}).status_code
        == 401
    )


def test_only_a_hash_of_the_key_is_stored(db: Session) -> None:
    from sqlalchemy import select

    from api.staff.models import ApiKey

    org = staff.create_org("org2", "Org", db_session=db)
    key = staff.create_api_key(org, "test", db_session=db)
    stored = db.scalars(select(ApiKey)).one()
    assert key not in (stored.key_hash, stored.prefix)
    assert stored.prefix == key[:10]

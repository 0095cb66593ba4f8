"""A participant's text style (api/i18n/style.py): one row per participant who has one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UTCDateTime, utcnow

UNACCENTED, ACCENTED = "unaccented", "accented"  # style
DETECTED, KEYWORD = "detected", "keyword"  # set_by


class TextStyle(Base):
    __tablename__ = "participant_text_styles"

    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    style: Mapped[str] = mapped_column(String(16), default=ACCENTED)
    # "keyword": the participant chose it (detection never overrides); "detected": from
    # how they text
    set_by: Mapped[str] = mapped_column(String(16), default=DETECTED)
    # their Vietnamese messages without marks in a row, up to the latest
    unmarked_streak: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

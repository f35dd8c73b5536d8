"""The JSON API for the queue (placeholder until it lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["queue"])

"""The JSON API for the posts (placeholder until it lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["posts"])

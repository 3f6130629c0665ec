"""What tests send as a citizen: one well-formed case form (tests change a field or two)."""

from __future__ import annotations

CASE_FORM = {
    "title": "公园健身器材损坏",
    "category": "文体旅游",
    "district": "滨湖区",
    "content": "公园内健身器材损坏多日无人维修。",
    "name": "测试者",
    "phone": "13900001111",
    "consent": "y",
}

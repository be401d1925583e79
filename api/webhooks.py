"""Sending partners' webhook notices over HTTPS (httpx): no redirects followed, a 10-second limit."""

import httpx


async def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client:
        answer = await client.post(url, content=body, headers=headers)
        return answer.status_code

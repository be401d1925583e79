"""What the server writes to disk is private; camera frames are decoded off the event loop."""

import io
import stat
import threading

from PIL import Image

from domain.notifications.sender import FileTransport
from domain.vouchers.qr import qr_png
from tests.integration.graphql.spending.test_vouchers import LOGIN_CLERK
from web import shop


async def test_outbox_files_are_0600(tmp_path):
    from email.message import EmailMessage

    transport = FileTransport(tmp_path / "outbox")
    message = EmailMessage()
    message["To"], message["Subject"] = "a@example.jp", "test"
    message.set_content("本文")
    await transport.send(message)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


async def test_a_camera_frame_is_decoded_on_a_worker_thread(api, town, monkeypatch):
    threads = []
    real = shop._read_qr

    def recording(frame):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(frame)

    monkeypatch.setattr(shop, "_read_qr", recording)
    login = await api.post("/graphql", json={"query": LOGIN_CLERK})
    csrf = login.json()["data"]["loginStaff"]["csrfToken"]
    frame = io.BytesIO()
    Image.open(io.BytesIO(qr_png("HTTP://EXAMPLE/V/ABC"))).save(frame, "PNG")
    answer = await api.post("/shop/decode", content=frame.getvalue(), headers={"x-csrf-token": csrf})
    assert answer.json() == {"text": "HTTP://EXAMPLE/V/ABC"}
    assert threads == [False]
    garbage = await api.post("/shop/decode", content=b"not an image", headers={"x-csrf-token": csrf})
    assert garbage.status_code == 400

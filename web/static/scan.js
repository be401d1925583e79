import { graphql, refusal } from "/static/proof.js";
// The shop's scanner: camera frames → /shop/decode (server-side QR reading) → redeemVoucher.
const csrf = () => (document.cookie.match(/mykey_csrf=([^;]+)/) || [])[1] || "";
const result = document.getElementById("result");
const video = document.getElementById("camera");
const canvas = document.createElement("canvas");
let busy = false;
let last = "";

async function redeem(token) {
  const { redeemVoucher } = await graphql(
    "mutation($t: String!) { redeemVoucher(token: $t) { voucher { faceValue } userErrors { code message } } }",
    { t: token });
  if (redeemVoucher.userErrors.length) {
    result.textContent = "✕ " + refusal(redeemVoucher.userErrors[0]);
    result.className = "balance error";
    navigator.vibrate?.([80, 60, 80]);
  } else {
    result.textContent = result.dataset.ok.replace("{points}", `${redeemVoucher.voucher.faceValue.toLocaleString()} pt`);
    result.className = "balance";
    result.style.color = "var(--ok)";
    navigator.vibrate?.(150);
  }
}

async function look() {
  if (busy || !video.videoWidth) return;
  busy = true;
  try {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    const frame = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.8));
    const response = await fetch("/shop/decode", { method: "POST", headers: { "X-CSRF-Token": csrf() }, body: frame });
    const { text } = await response.json();
    if (text && text !== last) {
      last = text;
      await redeem(text);
    }
  } finally {
    busy = false;
  }
}

document.getElementById("manual").addEventListener("submit", (event) => {
  event.preventDefault();
  redeem(document.getElementById("typed").value);
});

navigator.mediaDevices?.getUserMedia({ video: { facingMode: "environment" } }).then((stream) => {
  video.srcObject = stream;
  video.play();
  setInterval(look, 400);
});

import { graphql, refusal, USER_ERRORS } from "/static/proof.js";
import { showProblems } from "/static/forms.js";
// The shop's scanner: camera frames → /shop/decode (server-side QR reading) → redeemVoucher.
// A frame is sent only while the page is visible, no result is on screen, and the picture has
// changed since the last frame sent: a camera left looking at the counter sends nothing.
const csrf = () => (document.cookie.match(/mykey_csrf=([^;]+)/) || [])[1] || "";
const outcome = document.getElementById("outcome");
const video = document.getElementById("camera");
const canvas = document.createElement("canvas");
const small = document.createElement("canvas");
small.width = 32;
small.height = 24;
let busy = false;
let last = "";
let seen = null;  // the last frame sent, 32×24 grey levels
window.mykeyFramesSent = 0;  // counted for the tests' idle-camera figure
window.mykeyBytesSent = 0;

const lang = document.documentElement.lang === "en" ? "en-GB" : "ja-JP";
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, n) => values[n] ?? "");

function show(ok, title, detail) {
  outcome.hidden = false;
  outcome.className = `outcome ${ok ? "outcome-ok" : "outcome-no"}`;
  outcome.querySelector(".outcome-sign").textContent = ok ? "✓" : "✕";
  outcome.querySelector(".outcome-title").textContent = title;
  outcome.querySelector(".outcome-detail").textContent = detail;
  document.getElementById("next").focus();
  navigator.vibrate?.(ok ? 150 : [80, 60, 80]);
}

async function refreshToday() {
  const page = await (await fetch(location.href)).text();
  const fresh = new DOMParser().parseFromString(page, "text/html").getElementById("today");
  if (fresh) document.getElementById("today").replaceWith(fresh);
}

async function redeem(token) {
  const { redeemVoucher } = await graphql(
    `mutation($t: String!) { redeemVoucher(token: $t) { voucher { faceValue program { name } } redemption { redeemedAt } ${USER_ERRORS} } }`,
    { t: token });
  const data = outcome.dataset;
  if (redeemVoucher.userErrors.length) {
    show(false, data.refused, refusal(redeemVoucher.userErrors[0]));
    return false;
  }
  const { voucher, redemption } = redeemVoucher;
  const time = new Date(redemption.redeemedAt).toLocaleTimeString(lang, { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" });
  show(true, fill(data.ok, { points: `${voucher.faceValue.toLocaleString(lang)} pt` }),
    `${fill(data.program, { program: voucher.program.name })} · ${fill(data.at, { time })}`);
  refreshToday();
  return true;
}

// how far this frame is from the last one sent (mean absolute difference of 32×24 grey levels)
function changed() {
  const context = small.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0, small.width, small.height);
  const pixels = context.getImageData(0, 0, small.width, small.height).data;
  const grey = new Uint8Array(small.width * small.height);
  for (let i = 0; i < grey.length; i++) grey[i] = (pixels[4 * i] + pixels[4 * i + 1] + pixels[4 * i + 2]) / 3;
  if (seen === null) { seen = grey; return true; }
  let total = 0;
  for (let i = 0; i < grey.length; i++) total += Math.abs(grey[i] - seen[i]);
  if (total / grey.length < 6) return false;
  seen = grey;
  return true;
}

async function look() {
  if (busy || !video.videoWidth || !outcome.hidden || document.visibilityState !== "visible") return;
  if (!changed()) return;
  busy = true;
  try {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    const frame = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.8));
    window.mykeyFramesSent += 1;
    window.mykeyBytesSent += frame.size;
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

document.getElementById("next").addEventListener("click", () => {
  outcome.hidden = true;
  seen = null;  // read again, even the same picture
  last = "";
  video.focus?.();
});

document.getElementById("manual").addEventListener("submit", async (event) => {
  event.preventDefault();
  const typed = document.getElementById("typed");
  if (!typed.value.trim()) {
    showProblems(event.target, outcome.dataset.refused, [{ id: "typed", message: document.querySelector("label[for=typed]").textContent }]);
    return;
  }
  if (await redeem(typed.value)) typed.value = "";
});

function noCamera() {
  document.getElementById("no-camera").hidden = false;
  video.hidden = true;
}

if (!navigator.mediaDevices?.getUserMedia) noCamera();
else {
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then((stream) => {
    video.srcObject = stream;
    video.play();
    setInterval(look, 400);
  }).catch(noCamera);
}

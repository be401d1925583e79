// A voucher page follows its voucher: while it can be used and the page is visible, ask every few
// seconds whether it still can; once a shop has taken it (or it lapsed), show the page again, which
// then says when and where, without the QR code. Nothing is asked while the page is hidden.
const live = document.getElementById("voucher-live");
const every = 4000;
let timer = null;

async function check() {
  timer = null;
  if (document.visibilityState !== "visible") return;
  try {
    const answer = await fetch(live.dataset.url, { headers: { accept: "application/json" } });
    if (answer.ok && (await answer.json()).status !== live.dataset.status) {
      location.reload();
      return;
    }
  } catch (error) { /* offline for a moment: try again */ }
  timer = setTimeout(check, every);
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && timer === null) check();
});
timer = setTimeout(check, every);

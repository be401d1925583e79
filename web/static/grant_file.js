// The grant of a checked list: claim it, then follow its progress until it is done (or refused).
const form = document.getElementById("grant-file");
const box = document.querySelector(".progress-box");
const bar = document.getElementById("grant-progress");
const status = document.getElementById("grant-status");

function say(key, values) {
  let words = status.dataset[key] || "";
  for (const [name, value] of Object.entries(values)) words = words.replace(`{${name}}`, value);
  status.textContent = words;
}

async function follow(url) {
  for (;;) {
    const answer = await fetch(url, { headers: { Accept: "application/json" } });
    const now = await answer.json();
    const figures = { done: now.done.toLocaleString(), total: now.total.toLocaleString(), points: now.points.toLocaleString() };
    if (now.phase === "checking") {
      bar.value = now.done / 2;
      say("checking", figures);
    } else if (now.phase === "writing") {
      bar.value = now.total * 0.75;
      say("writing", figures);
    } else if (now.phase === "done") {
      bar.value = now.total;
      say("done", figures);
      const back = new URL(window.location.href);
      back.pathname = "/console/grants";
      back.search = new URLSearchParams({ lang: document.documentElement.lang, m: form.elements.m.value, said: "granted", points: String(now.points) }).toString();
      window.location.assign(back.toString());
      return;
    } else if (now.phase === "failed") {
      say("failed", { reason: now.failure || "" });
      form.hidden = false;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // a list of 100,000 is checked in well under a second
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const answer = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" } });
  if (answer.status !== 202) {
    const refused = await answer.json().catch(() => ({}));
    say("failed", { reason: refused.error || answer.status });
    box.hidden = false;
    return;
  }
  form.hidden = true;
  box.hidden = false;
  say("checking", { done: "0", total: bar.max.toLocaleString(), points: "" });
  await follow(form.dataset.progress);
});

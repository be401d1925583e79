// My Page follows the resident's balance live (graphql-transport-ws): any change reloads the page's
// figures. The session cookie rides along; the CSRF token goes in the URL (WebSockets take no headers).
const csrf = (document.cookie.match(/mykey_csrf=([^;]+)/) || [])[1] || "";
const scheme = location.protocol === "https:" ? "wss" : "ws";
const socket = new WebSocket(`${scheme}://${location.host}/graphql?csrf=${csrf}`, "graphql-transport-ws");
socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: {} })));
socket.addEventListener("message", async (event) => {
  const message = JSON.parse(event.data);
  if (message.type === "connection_ack") {
    socket.send(JSON.stringify({ id: "balance", type: "subscribe",
      payload: { query: "subscription { balanceChanged { kind points } }" } }));
    document.body.dataset.live = "on";
  } else if (message.type === "next") {
    const page = await (await fetch(location.href)).text();
    const fresh = new DOMParser().parseFromString(page, "text/html").getElementById("figures");
    document.getElementById("figures").replaceWith(fresh);
    for (const form of document.forms) if (form.csrf) form.csrf.value = csrf;  // scripts in fresh HTML do not run
    // said aloud and shown: what changed (the live region stays in place, so it is announced)
    const change = message.payload?.data?.balanceChanged;
    const live = document.getElementById("live");
    if (change && live && change.points) {
      const lang = document.documentElement.lang === "en" ? "en-GB" : "ja-JP";
      const amount = `${Math.abs(change.points).toLocaleString(lang)} pt`;
      const text = (change.points > 0 ? live.dataset.arrived : live.dataset.left).replace("{points}", amount);
      live.innerHTML = '<div class="banner banner-success"><span class="banner-sign" aria-hidden="true">✓</span><div><p class="banner-title"></p></div></div>';
      live.querySelector(".banner-title").textContent = text;
    }
  }
});

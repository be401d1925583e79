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
    const fresh = new DOMParser().parseFromString(page, "text/html").querySelector("main");
    document.querySelector("main").replaceWith(fresh);
    for (const form of document.forms) if (form.csrf) form.csrf.value = csrf;  // scripts in fresh HTML do not run
  }
});

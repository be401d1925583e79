// MyKey Points exchange widget. A partner's page embeds it where the button should appear:
//   <script src="https://MYKEY/widget.js" data-client-id="…" data-redirect-uri="…" data-points="3000"
//           data-ref="ORDER-1" data-state="…" data-code-challenge="…" data-lang="ja"></script>
// The state and the PKCE challenge come from the partner's server (which keeps the verifier). The button
// opens MyKey's own page in a popup (or the whole window on a small screen or when popups are blocked);
// the resident signs in there and confirms. The popup hands back a code, to this page only, as the
// "mykey:authorized" event ({code, state}); the partner's server redeems it at /oauth/token.
(() => {
  const script = document.currentScript;
  const mykey = new URL(script.src).origin;
  const d = script.dataset;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "mykey-exchange";
  button.textContent = d.label || (d.lang === "en" ? "Exchange for MyKey Points" : "マイキーポイントに交換する");
  script.after(button);

  function authorizeUrl(display) {
    const query = new URLSearchParams({
      response_type: "code",
      client_id: d.clientId,
      redirect_uri: d.redirectUri,
      state: d.state,
      code_challenge: d.codeChallenge,
      code_challenge_method: "S256",
      partner_points: d.points,
      external_ref: d.ref,
      display,
      lang: d.lang || "ja",
    });
    return `${mykey}/oauth/authorize?${query}`;
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== mykey || !event.data || event.data.type !== "mykey-exchange") return;
    if (event.data.state !== d.state) return; // another exchange's answer, or a forgery
    const detail = { code: event.data.code, state: event.data.state };
    script.dispatchEvent(new CustomEvent("mykey:authorized", { bubbles: true, detail }));
  });

  button.addEventListener("click", () => {
    const small = window.matchMedia("(max-width: 600px)").matches;
    const popup = small ? null : window.open(authorizeUrl("popup"), "mykey-exchange", "popup,width=480,height=760");
    if (!popup) window.location.assign(authorizeUrl("page"));
  });
})();

// The exchange widget's popup, done: hand the code to the partner's page that opened it (its registered
// origin only), then close; opened without a partner page, go on to the partner's return address.
const handoff = document.getElementById("handoff");
const { origin, code, state, fallback } = handoff.dataset;
if (window.opener && !window.opener.closed) {
  window.opener.postMessage({ type: "mykey-exchange", code, state }, origin);
  window.close();
} else {
  location.replace(fallback);
}

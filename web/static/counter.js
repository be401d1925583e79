// The counter terminal: activate once, test the connection, then card in → this service's number.
import { cardProof, graphql, refusal } from "/static/proof.js";

const root = document.getElementById("counter");
const state = document.getElementById("state");
const message = (key, values = {}) =>
  root.dataset[key].replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");


const token = () => localStorage.getItem("mykey-terminal");

document.getElementById("activate").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { activateTerminal } = await graphql(
    "mutation($c: String!) { activateTerminal(activationCode: $c) { token terminal { name } userErrors { code message } } }",
    { c: document.getElementById("code").value });
  if (activateTerminal.userErrors.length) { state.textContent = refusal(activateTerminal.userErrors[0]); return; }
  localStorage.setItem("mykey-terminal", activateTerminal.token);
  state.textContent = message("counterActivated", { name: activateTerminal.terminal.name });
});

document.getElementById("ping").addEventListener("click", async () => {
  const { pingTerminal } = await graphql("mutation { pingTerminal { serverTime userErrors { code message } } }", {}, token());
  state.textContent = pingTerminal.userErrors.length
    ? refusal(pingTerminal.userErrors[0])
    : message("counterPingOk", { time: new Date(pingTerminal.serverTime).toLocaleTimeString() });
});

document.getElementById("card").addEventListener("change", async (event) => {
  const proof = await cardProof(event.target.files[0], { token: token() });
  const { counterLookup } = await graphql(
    "mutation($p: CardProofInput!) { counterLookup(proof: $p) { customerId validUntil needsReconfirmation userErrors { code message } } }",
    { p: proof }, token());
  const result = document.getElementById("result");
  if (counterLookup.userErrors.length) { state.textContent = refusal(counterLookup.userErrors[0]); result.hidden = true; return; }
  document.getElementById("number").textContent = counterLookup.customerId;
  document.getElementById("barcode").src = `/counter/barcode.svg?value=${encodeURIComponent(counterLookup.customerId)}`;
  const details = [];
  if (counterLookup.validUntil) details.push(message("counterValidUntil", { day: counterLookup.validUntil }));
  if (counterLookup.needsReconfirmation) details.push(message("counterReconfirm"));
  document.getElementById("details").textContent = details.join(" / ");
  state.textContent = "";
  result.hidden = false;
});

document.getElementById("print").addEventListener("click", () => window.print());

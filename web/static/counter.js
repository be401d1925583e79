// LOOKUP: card in → this service's number, full-screen; or typed into the focused field (wedge mode).
import { cardProof, graphql, USER_ERRORS } from "/static/proof.js";
import { $, lang, problems, say, token } from "/static/terminal.js";

let services = {};
document.addEventListener("terminal-ready", async () => {
  const { services: list } = await graphql("{ services { code name } }", {}, token());
  services = Object.fromEntries(list.map((s) => [s.code, s.name]));
});

// keyboard-wedge: type the number, then Enter, into the field that has the focus (or the page's own)
function typeInto(number) {
  const target = document.activeElement?.tagName === "INPUT" && document.activeElement.type === "text"
    ? document.activeElement : $("wedge-target");
  target.focus();
  for (const ch of number) {
    target.value += ch;
    target.dispatchEvent(new InputEvent("input", { bubbles: true, data: ch, inputType: "insertText" }));
  }
  target.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
}

$("card").addEventListener("change", async (event) => {
  let proof;
  try { proof = await cardProof(event.target.files[0], { token: token() }); } catch {
    problems($("job"), [{ code: "CARD_INVALID", field: "proof", reason: "card.unreadable", message: "" }], { proof: "card" });
    return;
  }
  const { counterLookup } = await graphql(
    `mutation($p: CardProofInput!) { counterLookup(proof: $p) { serviceCode customerId validUntil needsReconfirmation ${USER_ERRORS} } }`,
    { p: proof }, token());
  event.target.value = "";
  if (counterLookup.userErrors.length) { problems($("job"), counterLookup.userErrors, { proof: "card" }); return; }
  if ($("wedge").checked) { typeInto(counterLookup.customerId); return; }
  $("service").textContent = services[counterLookup.serviceCode] || counterLookup.serviceCode;
  $("number").textContent = counterLookup.customerId;
  $("barcode").src = `/counter/barcode.svg?value=${encodeURIComponent(counterLookup.customerId)}`;
  const details = [];
  if (counterLookup.validUntil) details.push(say("counterValidUntil", { day: counterLookup.validUntil }));
  if (counterLookup.needsReconfirmation) details.push(say("counterReconfirm"));
  $("details").textContent = details.join(" / ");
  const day = new Date().toLocaleDateString(lang, { timeZone: "Asia/Tokyo", year: "numeric", month: "long", day: "numeric", weekday: "short" });
  $("label-day").textContent = say("counterLabelDay", { day });
  $("result").hidden = false;
  $("next").focus();
});

$("print").addEventListener("click", () => window.print());
$("next").addEventListener("click", () => { $("result").hidden = true; $("card").focus(); });

// PAY: the amount first, then the resident's card; the receipt fills the screen.
import { cardProof, graphql, refusal, USER_ERRORS } from "/static/proof.js";
import { clearProblems } from "/static/forms.js";
import { $, points, lang, problems, say, token } from "/static/terminal.js";

const receipt = $("receipt");
function show(ok, title, detail) {
  receipt.hidden = false;
  receipt.className = `outcome ${ok ? "outcome-ok" : "outcome-no"}`;
  receipt.querySelector(".outcome-sign").textContent = ok ? "✓" : "✕";
  receipt.querySelector(".outcome-title").textContent = title;
  receipt.querySelector(".outcome-detail").textContent = detail;
  $("print").hidden = !ok;
  $("next").focus();
}

$("card").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  clearProblems($("job"));
  const amount = Number($("amount").value);
  if (!Number.isInteger(amount) || amount < 1) {
    problems($("job"), [{ message: say("payAmountFirst") }]);
    $("amount").focus();
    return;
  }
  let proof;
  try { proof = await cardProof(file, { token: token() }); } catch {
    problems($("job"), [{ code: "CARD_INVALID", field: "proof", reason: "card.unreadable", message: "" }], { proof: "card" });
    return;
  }
  const { spendPoints } = await graphql(
    `mutation($p: CardProofInput!, $n: Int!, $k: String!) { spendPoints(proof: $p, amount: $n, idempotencyKey: $k) { spend { amount shop balanceAfter } ${USER_ERRORS} } }`,
    { p: proof, n: amount, k: crypto.randomUUID() }, token());
  if (spendPoints.userErrors.length) {
    show(false, say("payRefused"), refusal(spendPoints.userErrors[0]));
    return;
  }
  const { spend } = spendPoints;
  const time = new Date().toLocaleString(lang, { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  show(true, say("payDone", { points: points(spend.amount) }), `${spend.shop} · ${time} · ${say("payBalance", { points: points(spend.balanceAfter) })}`);
});

$("print").addEventListener("click", () => window.print());
$("next").addEventListener("click", () => { receipt.hidden = true; $("amount").value = ""; $("amount").focus(); });

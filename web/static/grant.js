// GRANT: the program, the points and why once; then each resident's card.
import { cardProof, graphql, USER_ERRORS } from "/static/proof.js";
import { clearProblems, showBanner } from "/static/forms.js";
import { $, points, problems, programs, say, token } from "/static/terminal.js";

document.addEventListener("terminal-ready", () => programs($("program")));

$("card").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  clearProblems($("job"));
  const amount = Number($("points").value);
  if (!Number.isInteger(amount) || amount < 1 || !$("reason").value.trim()) {
    problems($("job"), [{ message: say("grantFillFirst") }]);
    return;
  }
  let proof;
  try { proof = await cardProof(file, { token: token() }); } catch {
    problems($("job"), [{ code: "CARD_INVALID", field: "proof", reason: "card.unreadable", message: "" }], { proof: "card" });
    return;
  }
  const { grantPointsWithCard } = await graphql(
    `mutation($p: CardProofInput!, $g: ID!, $n: Int!, $r: String!, $k: String!) { grantPointsWithCard(proof: $p, programId: $g, points: $n, reason: $r, idempotencyKey: $k) { myKeyId points ${USER_ERRORS} } }`,
    { p: proof, g: $("program").value, n: amount, r: $("reason").value.trim(), k: crypto.randomUUID() }, token());
  if (grantPointsWithCard.userErrors.length) {
    problems($("job"), grantPointsWithCard.userErrors, { proof: "card", points: "points", reason: "reason", programId: "program" });
    return;
  }
  showBanner($("granted"), "success", say("grantDone", { points: points(grantPointsWithCard.points), id: grantPointsWithCard.myKeyId }));
});

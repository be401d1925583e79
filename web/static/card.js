// Sign in with a card (see proof.js): the proof goes to loginWithCard, which sets the session cookie.
import { cardProof, graphql, refusal } from "/static/proof.js";


async function signInWithCard(file, status) {
  let proof;
  try {
    proof = await cardProof(file);
  } catch {
    throw new Error(status.dataset.badCard);
  }
  const { loginWithCard } = await graphql(
    "mutation($p: CardProofInput!) { loginWithCard(proof: $p, useCookie: true) { userErrors { code message } } }",
    { p: proof });
  if (loginWithCard.userErrors.length) throw new Error(refusal(loginWithCard.userErrors[0]));
  const next = new URLSearchParams(location.search).get("next") || "";
  location.assign(next.startsWith("/oauth/authorize?") ? next : "/me" + location.search);
}

const input = document.getElementById("card");
const status = document.getElementById("card-status");
if (input) {
  input.addEventListener("change", () => {
    status.textContent = status.dataset.working;
    signInWithCard(input.files[0], status).catch((error) => {
      status.textContent = error.message;
      status.className = "error";
    });
  });
}

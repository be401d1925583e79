// Screen 16 step by step, through the public GraphQL operations.
import { cardProof, graphql, refusal } from "/static/proof.js";

const root = document.getElementById("register");
const state = document.getElementById("state");
const $ = (id) => document.getElementById(id);
const say = (key, values = {}) => { state.textContent = root.dataset[key].replace(/\{(\w+)\}/g, (_, n) => values[n] ?? ""); };
let token = null;

const refused = (payload) => {
  if (!payload.userErrors.length) return false;
  state.textContent = refusal(payload.userErrors[0]);
  return true;
};
const ready = () => { $("step-form").querySelector("fieldset").disabled = !$("candidate").value; };

$("card").addEventListener("change", async (event) => {
  const proof = await cardProof(event.target.files[0], { purpose: "REGISTRATION" });
  const { beginRegistration } = await graphql(
    "mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken userErrors { code message } } }", { p: proof });
  if (refused(beginRegistration)) return;
  token = beginRegistration.registrationToken;
  $("step-id").disabled = false;
  state.textContent = "";
});

$("generate").addEventListener("click", async () => {
  const { generateMyKeyId } = await graphql(
    "mutation($t: String!) { generateMyKeyId(registrationToken: $t) { candidate remaining final userErrors { code message } } }", { t: token });
  if (refused(generateMyKeyId)) return;
  $("candidate").value = generateMyKeyId.candidate;
  $("candidate").readOnly = generateMyKeyId.final;
  say("registerGenerated", generateMyKeyId);
  ready();
});

$("check").addEventListener("click", async () => {
  const { checkMyKeyId } = await graphql(
    "mutation($t: String!, $c: String!) { checkMyKeyId(registrationToken: $t, candidate: $c) { available remaining candidate userErrors { code message } } }",
    { t: token, c: $("candidate").value.toUpperCase() });
  if (refused(checkMyKeyId)) return;
  if (checkMyKeyId.candidate) $("candidate").value = checkMyKeyId.candidate;
  checkMyKeyId.available ? say("registerAvailable", checkMyKeyId) : say("registerTaken", checkMyKeyId);
  ready();
});

$("step-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const checked = (name) => document.querySelector(`[name=${name}]`).checked;
  const input = {
    registrationToken: token, myKeyId: $("candidate").value,
    password: $("password").value, passwordConfirmation: $("password2").value,
    email: $("email").value || null, emailConfirmation: $("email2").value || null,
    notifications: { pointsGranted: checked("pointsGranted"), pointsExpired: checked("pointsExpired"),
      passwordChanged: checked("passwordChanged"), myKeyIdChanged: checked("myKeyIdChanged") },
    basicMunicipalityCode: $("basic").value,
  };
  const { completeRegistration } = await graphql(
    "mutation($i: CompleteRegistrationInput!) { completeRegistration(input: $i, useCookie: true) { userErrors { code message } } }", { i: input });
  if (refused(completeRegistration)) return;
  location.assign("/me" + location.search);
});

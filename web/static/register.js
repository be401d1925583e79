// Screen 16, one step per screen, through the public GraphQL operations.
import { cardProof, graphql, refusal, USER_ERRORS } from "/static/proof.js";
import { clearProblems, showBanner, showProblems } from "/static/forms.js";

const root = document.getElementById("register");
const $ = (id) => document.getElementById(id);
const said = (key, values = {}) => root.dataset[key].replace(/\{(\w+)\}/g, (_, n) => values[n] ?? "");
let token = null;

// where each input of the API lives on the page, and on which step
const FIELDS = {
  proof: ["card", 1], registrationToken: ["card", 1],
  myKeyId: ["candidate", 2], candidate: ["candidate", 2],
  password: ["password", 3], passwordConfirmation: ["password2", 3],
  email: ["email", 3], emailConfirmation: ["email2", 3], basicMunicipalityCode: ["basic", 3],
};

function show(step) {
  for (const section of document.querySelectorAll(".reg-step")) section.hidden = section.dataset.step !== String(step);
  document.querySelectorAll(".steps .step").forEach((item, index) => {
    const number = index + 1;
    item.className = `step step-${number < step ? "done" : number === step ? "current" : "todo"}`;
    number === step ? item.setAttribute("aria-current", "step") : item.removeAttribute("aria-current");
  });
  const heading = $(`step-${step}`).querySelector("h2");
  heading.tabIndex = -1;
  heading.focus();
}

// the refusals of one call: under their fields, on the step they belong to
function refused(payload) {
  if (!payload.userErrors.length) return false;
  const problems = payload.userErrors.map((e) => ({ id: (FIELDS[e.field] || [])[0], step: (FIELDS[e.field] || [])[1], message: refusal(e) }));
  const step = Math.min(...problems.map((p) => p.step || 3));
  if ($(`step-${step}`).hidden) show(step);
  showProblems($(`step-${step}`), root.dataset.registerSummary, problems);
  return true;
}

$("card").addEventListener("change", async (event) => {
  const scope = $("step-1");
  clearProblems(scope);
  let proof;
  try {
    proof = await cardProof(event.target.files[0], { purpose: "REGISTRATION" });
  } catch {
    refused({ userErrors: [{ code: "CARD_INVALID", field: "proof", reason: "card.unreadable", message: "" }] });
    return;
  }
  const { beginRegistration } = await graphql(
    `mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken ${USER_ERRORS} } }`, { p: proof });
  if (refused(beginRegistration)) return;
  token = beginRegistration.registrationToken;
  showBanner($("card-state"), "success", root.dataset.registerCardRead);
  setTimeout(() => show(2), 600);  // the ✓ stays long enough to be seen
});

const ready = () => { $("to-form").disabled = !/^[A-Z0-9]{8}$/.test($("candidate").value); };
$("candidate").addEventListener("input", () => { $("candidate").value = $("candidate").value.toUpperCase(); ready(); });

$("generate").addEventListener("click", async () => {
  const { generateMyKeyId } = await graphql(
    `mutation($t: String!) { generateMyKeyId(registrationToken: $t) { candidate remaining final ${USER_ERRORS} } }`, { t: token });
  if (refused(generateMyKeyId)) return;
  clearProblems($("step-2"));
  $("candidate").value = generateMyKeyId.candidate;
  $("candidate").readOnly = generateMyKeyId.final;
  $("state").textContent = said("registerGenerated", generateMyKeyId);
  ready();
});

$("check").addEventListener("click", async () => {
  const { checkMyKeyId } = await graphql(
    `mutation($t: String!, $c: String!) { checkMyKeyId(registrationToken: $t, candidate: $c) { available remaining candidate ${USER_ERRORS} } }`,
    { t: token, c: $("candidate").value.toUpperCase() });
  if (refused(checkMyKeyId)) return;
  clearProblems($("step-2"));
  if (checkMyKeyId.candidate) $("candidate").value = checkMyKeyId.candidate;
  $("state").textContent = said(checkMyKeyId.available ? "registerAvailable" : "registerTaken", checkMyKeyId);
  ready();
});

$("to-form").addEventListener("click", () => show(3));

// the password's rules tick as the resident types
function rules() {
  const pw = $("password").value;
  const ok = { length: pw.length >= 6 && pw.length <= 16, halfwidth: /^[A-Za-z0-9]*$/.test(pw) && pw.length > 0,
    same: pw.length > 0 && pw === $("password2").value };
  for (const item of document.querySelectorAll("#password-rules li")) {
    item.classList.toggle("met", ok[item.dataset.rule]);
    item.querySelector("span").textContent = ok[item.dataset.rule] ? "✓ " : "・";
  }
}
$("password").addEventListener("input", rules);
$("password2").addEventListener("input", rules);

// e-mail notices need an address: the choices open when one is typed, the expiry warning ticked
$("email").addEventListener("input", () => {
  const has = $("email").value.trim() !== "";
  for (const box of document.querySelectorAll("#notify input")) {
    if (box.disabled && has && box.hasAttribute("data-default")) box.checked = true;
    box.disabled = !has;
    if (!has) box.checked = false;
  }
  $("notify-hint").hidden = has;
});

// towns found by name or reading, in hiragana or katakana
const katakana = (s) => s.normalize("NFKC").replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
$("town-search").addEventListener("input", () => {
  const wanted = katakana($("town-search").value.trim());
  let first = null;
  for (const option of $("basic").options) {
    if (!option.value) continue;
    const hit = !wanted || katakana(option.dataset.search).includes(wanted);
    option.hidden = !hit;
    if (hit && !first) first = option;
  }
  const current = $("basic").selectedOptions[0];
  if (wanted && first && (!current || !current.value || current.hidden)) $("basic").value = first.value;
});

$("step-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!$("basic").value) {
    showProblems($("step-3"), root.dataset.registerSummary, [{ id: "basic", message: root.dataset.registerBasicRequired }]);
    return;
  }
  const checked = (name) => document.querySelector(`[name=${name}]`).checked;
  const input = {
    registrationToken: token, myKeyId: $("candidate").value,
    password: $("password").value, passwordConfirmation: $("password2").value,
    email: $("email").value || null, emailConfirmation: $("email2").value || null,
    notifications: { pointsGranted: checked("pointsGranted"), pointsExpired: checked("pointsExpired"),
      passwordChanged: checked("passwordChanged"), myKeyIdChanged: checked("myKeyIdChanged") },
    basicMunicipalityCode: $("basic").value || null,
  };
  const { completeRegistration } = await graphql(
    `mutation($i: CompleteRegistrationInput!) { completeRegistration(input: $i, useCookie: true) { ${USER_ERRORS} } }`, { i: input });
  if (refused(completeRegistration)) return;
  location.assign("/me" + location.search);
});

// What every terminal page shares: activate once (the token is kept per kind, so a reload does not
// ask again), test the connection, start over; errors under their fields.
import { graphql, refusal, USER_ERRORS } from "/static/proof.js";
import { showProblems } from "/static/forms.js";

export const root = document.getElementById("terminal");
export const kind = root.dataset.kind;
const storeKey = `mykey-terminal-${kind}`;
if (kind === "LOOKUP" && !localStorage.getItem(storeKey) && localStorage.getItem("mykey-terminal")) {
  localStorage.setItem(storeKey, localStorage.getItem("mykey-terminal"));  // the older single key
}
export const token = () => localStorage.getItem(storeKey);
export const say = (key, values = {}) => (root.dataset[key] || "").replace(/\{(\w+)\}/g, (_, n) => values[n] ?? "");
export const $ = (id) => document.getElementById(id);
export const lang = document.documentElement.lang === "en" ? "en-GB" : "ja-JP";
export const points = (n) => `${Number(n).toLocaleString(lang)} pt`;

export function problems(section, errors, fields = {}) {
  showProblems(section, root.dataset.terminalSummary,
    errors.map((e) => ({ id: fields[e.field] || null, message: e.code ? refusal(e) : e.message })));
}

function ready(name) {
  $("setup").hidden = true;
  $("job").hidden = false;
  $("terminal-name").textContent = say("terminalActivated", { name });
  document.dispatchEvent(new CustomEvent("terminal-ready"));
}

function setup() {
  $("job").hidden = true;
  $("setup").hidden = false;
}

$("activate").addEventListener("submit", async (event) => {
  event.preventDefault();
  const { activateTerminal } = await graphql(
    `mutation($c: String!) { activateTerminal(activationCode: $c) { token terminal { name kind } ${USER_ERRORS} } }`,
    { c: $("code").value.trim() });
  if (activateTerminal.userErrors.length) { problems($("setup"), activateTerminal.userErrors, { activationCode: "code" }); return; }
  if (activateTerminal.terminal.kind !== kind) {
    problems($("setup"), [{ message: say("terminalWrongKind", { kind: activateTerminal.terminal.kind }) }]);
    return;
  }
  localStorage.setItem(storeKey, activateTerminal.token);
  localStorage.setItem(`${storeKey}-name`, activateTerminal.terminal.name);
  ready(activateTerminal.terminal.name);
});

$("ping").addEventListener("click", async () => {
  const { pingTerminal } = await graphql(`mutation { pingTerminal { serverTime ${USER_ERRORS} } }`, {}, token());
  $("state").textContent = pingTerminal.userErrors.length
    ? refusal(pingTerminal.userErrors[0])
    : say("terminalPingOk", { time: new Date(pingTerminal.serverTime).toLocaleTimeString(lang, { timeZone: "Asia/Tokyo" }) });
});

$("reset").addEventListener("click", () => {
  localStorage.removeItem(storeKey);
  setup();
});

// a stored token that still works: straight to the job; one that was revoked: set up again
(async () => {
  if (!token()) { setup(); return; }
  const { viewer } = await graphql("{ viewer { terminalKind municipalityCode shopId } }", {}, token());
  if (viewer.terminalKind !== kind) { localStorage.removeItem(storeKey); setup(); return; }
  root.dataset.municipality = viewer.municipalityCode || "";
  ready(localStorage.getItem(`${storeKey}-name`) || "");
})();

// the programs a PRINT or GRANT terminal's municipality runs
export async function programs(select) {
  const { municipality } = await graphql(
    "query($c: String!) { municipality(code: $c) { programs { id name kind } } }", { c: root.dataset.municipality }, token());
  select.replaceChildren(...municipality.programs.map((p) => new Option(p.name, p.id)));
}

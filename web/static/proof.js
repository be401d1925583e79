// A card proof from the demo's virtual card (a PEM file: PKCS#8 key + certificate). The key never
// leaves the browser: it signs the server's one-time challenge (RSASSA-PKCS1-v1_5, SHA-256).
// A real deployment plugs the national card reader app in here instead.
const pemBlock = (text, label) => {
  const match = text.match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`));
  return match ? match[1].replace(/\s+/g, "") : null;
};
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const base64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));

// One call to /graphql. With a bearer token (a terminal), or else the session cookie plus its CSRF token.
export async function graphql(query, variables = {}, token = null) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  else headers["X-CSRF-Token"] = (document.cookie.match(/mykey_csrf=([^;]+)/) || [])[1] || "";
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return (await response.json()).data;
}

// purpose: SIGN_IN, REGISTRATION or REBIND; a terminal passes its token and the challenge is its own.
export async function cardProof(file, { purpose = "SIGN_IN", token = null } = {}) {
  const pem = await file.text();
  const key = pemBlock(pem, "PRIVATE KEY");
  const certificate = pemBlock(pem, "CERTIFICATE");
  if (!key || !certificate) throw new Error("card");
  const privateKey = await crypto.subtle.importKey(
    "pkcs8", bytes(key), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  const { cardChallenge } = await graphql(
    "mutation($purpose: CardChallengePurpose!) { cardChallenge(purpose: $purpose) { nonce } }", { purpose }, token);
  const nonce = cardChallenge.nonce;
  const signed = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, new TextEncoder().encode(nonce));
  return { certificate, nonce, signature: base64(signed) };
}

// A refusal in the page's language, as precisely as the page's catalogue knows it: the rule that
// failed (code.reason), else the field (code.field), else the code; its figures in local form.
export function refusal(error) {
  const messages = JSON.parse(document.getElementById("errors")?.textContent || "{}");
  const text = messages[`${error.code}.${error.reason}`] || messages[`${error.code}.${error.field}`]
    || messages[error.code] || error.message;
  const lang = document.documentElement.lang === "en" ? "en-GB" : "ja-JP";
  const values = {};
  for (const { name, value } of error.details || []) {
    if (name === "at") {
      values[name] = new Date(value).toLocaleString(lang, { timeZone: "Asia/Tokyo", month: "numeric",
        day: "numeric", hour: "2-digit", minute: "2-digit" });
    } else if (/^\d+$/.test(value) && (name === "available" || name === "needed")) {
      values[name] = `${Number(value).toLocaleString(lang)} pt`;
    } else values[name] = value;
  }
  return text.replace(/\{(\w+)\}/g, (_, n) => values[n] ?? "");
}

// What a GraphQL refusal asks for, for every script's queries.
export const USER_ERRORS = "userErrors { code field message reason details { name value } }";

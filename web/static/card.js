// Sign in with a card. The demo's virtual card is a PEM file (PKCS#8 key + certificate); a real
// deployment plugs the national card reader app in here instead. The key never leaves the browser:
// it signs the server's one-time challenge (RSASSA-PKCS1-v1_5, SHA-256) with WebCrypto.
const pemBlock = (text, label) => {
  const match = text.match(new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`));
  return match ? match[1].replace(/\s+/g, "") : null;
};
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const base64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));

async function graphql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()).data;
}

async function signInWithCard(file, status) {
  const pem = await file.text();
  const key = pemBlock(pem, "PRIVATE KEY");
  const certificate = pemBlock(pem, "CERTIFICATE");
  if (!key || !certificate) throw new Error(status.dataset.badCard);
  const privateKey = await crypto.subtle.importKey(
    "pkcs8", bytes(key), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  const { cardChallenge } = await graphql("mutation { cardChallenge { nonce } }");
  const nonce = cardChallenge.nonce;
  const signature = base64(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", privateKey, new TextEncoder().encode(nonce)));
  const { loginWithCard } = await graphql(
    "mutation($p: CardProofInput!) { loginWithCard(proof: $p, useCookie: true) { userErrors { message } } }",
    { p: { certificate, nonce, signature } });
  if (loginWithCard.userErrors.length) throw new Error(loginWithCard.userErrors[0].message);
  location.assign("/me" + location.search);
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

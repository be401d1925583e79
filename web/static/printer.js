// PRINT: a voucher from the municipality's budget, printed on the roll.
import { graphql, USER_ERRORS } from "/static/proof.js";
import { clearProblems } from "/static/forms.js";
import { $, points, lang, problems, programs, say, token } from "/static/terminal.js";

document.addEventListener("terminal-ready", () => programs($("program")));

$("voucher-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems($("job"));
  const { issueVoucher } = await graphql(
    `mutation($p: ID!, $v: Int!) { issueVoucher(programId: $p, faceValue: $v) { voucher { qrSvg faceValue typedCode expiresAt } ${USER_ERRORS} } }`,
    { p: $("program").value, v: Number($("face").value) || 0 }, token());
  if (issueVoucher.userErrors.length) { problems($("job"), issueVoucher.userErrors, { faceValue: "face", programId: "program" }); return; }
  const v = issueVoucher.voucher;
  $("voucher-qr").innerHTML = v.qrSvg;  // our own server's SVG (one path)
  $("voucher-value").textContent = points(v.faceValue);
  $("voucher-code").textContent = v.typedCode;
  const day = new Date(new Date(v.expiresAt).getTime() - 1).toLocaleDateString(lang, { timeZone: "Asia/Tokyo", year: "numeric", month: "long", day: "numeric" });
  $("voucher-until").textContent = say("printUntil", { day });
  $("voucher-form").hidden = true;
  $("printed").hidden = false;
  window.print();
});

$("print").addEventListener("click", () => window.print());
$("next").addEventListener("click", () => { $("printed").hidden = true; $("voucher-form").hidden = false; $("face").focus(); });

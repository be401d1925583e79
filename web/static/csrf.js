// Every form a page posts carries the session's CSRF token, copied here from its cookie.
for (const form of document.forms) {
  if (form.csrf) form.csrf.value = (document.cookie.match(/mykey_csrf=([^;]+)/) || [])[1] || "";
}

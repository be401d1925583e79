// Errors where they belong: each under its field (red border, aria-invalid, aria-describedby) and
// all of them in a summary at the top of the step, which takes the focus (web/components.py draws
// the same on server-rendered pages).
export function clearProblems(scope) {
  for (const node of scope.querySelectorAll(".field-error")) node.remove();
  for (const node of scope.querySelectorAll(".field-invalid")) node.classList.remove("field-invalid");
  for (const node of scope.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    const by = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    by.length ? node.setAttribute("aria-describedby", by.join(" ")) : node.removeAttribute("aria-describedby");
  }
  const summary = scope.querySelector(".summary");
  if (summary) summary.replaceChildren();
}

export function showProblems(scope, title, problems) {
  clearProblems(scope);
  const list = document.createElement("ul");
  for (const { id, message } of problems) {
    const input = id && document.getElementById(id);
    const item = document.createElement("li");
    if (input) {
      const error = document.createElement("p");
      error.className = "field-error";
      error.id = `${id}-error`;
      error.textContent = message;
      (input.closest(".field") || input.parentElement).classList.add("field-invalid");
      input.insertAdjacentElement("afterend", error);
      input.setAttribute("aria-invalid", "true");
      const by = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", [...by, error.id].join(" "));
      const link = document.createElement("a");
      link.href = `#${id}`;
      link.textContent = message;
      item.append(link);
    } else item.textContent = message;
    list.append(item);
  }
  const summary = scope.querySelector(".summary");
  const box = document.createElement("div");
  box.className = "banner banner-error error-summary";
  box.setAttribute("role", "alert");
  box.tabIndex = -1;
  box.innerHTML = '<span class="banner-sign" aria-hidden="true">✕</span><div><p class="banner-title"></p></div>';
  box.querySelector(".banner-title").textContent = title;
  box.querySelector("div").append(list);
  summary.replaceChildren(box);
  box.focus();
}

export function showBanner(target, tone, message) {
  const sign = { success: "✓", error: "✕", info: "i", warning: "!" }[tone];
  const box = document.createElement("div");
  box.className = `banner banner-${tone}`;
  box.setAttribute("role", tone === "error" ? "alert" : "status");
  box.innerHTML = `<span class="banner-sign" aria-hidden="true">${sign}</span><div><p class="banner-title"></p></div>`;
  box.querySelector(".banner-title").textContent = message;
  target.replaceChildren(box);
}

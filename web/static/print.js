// The voucher's print page opens the printer dialogue once it has loaded.
window.addEventListener("load", () => window.print());

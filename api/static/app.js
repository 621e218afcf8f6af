// finmatch pages: a little progressive enhancement; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  // forms that replace data ask first (e.g. re-solving an agenda)
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); return; }
      var button = form.querySelector("button[type=submit], button:not([type])");
      if (button) { button.disabled = true; button.textContent = "正在求解…"; }
    });
  });
  // filter selects submit on change (the button stays for keyboards and no-JS)
  document.querySelectorAll("form.filters select").forEach(function (sel) {
    sel.addEventListener("change", function () { if (!sel.form.matches(".resolve")) sel.form.requestSubmit(); });
  });
});

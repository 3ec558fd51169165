// Autosave feedback for the questionnaire. The server answers every save with a status;
// when the network fails, the answer stays in the form, is marked "not saved" and is retried.
(function () {
  "use strict";
  var pending = new Set();

  function statusOf(form) {
    return form && document.getElementById("status-" + form.dataset.question);
  }
  function mark(form, cls, text) {
    var el = statusOf(form);
    if (!el) return;
    el.className = "save-status " + cls;
    el.textContent = text;
  }

  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt.closest("form.answer-form");
    if (!form) return;
    pending.add(form);
    mark(form, "saving", form.dataset.msgSaving);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt.closest("form.answer-form");
    if (!form) return;
    if (e.detail.successful || (e.detail.xhr && e.detail.xhr.status >= 400 && e.detail.xhr.status < 500)) {
      pending.delete(form);
    }
  });
  function failed(e) {
    var form = e.detail.elt.closest("form.answer-form");
    if (!form) return;
    mark(form, "failed", form.dataset.msgOffline);
    // Retry until it goes through; the values never leave the form.
    setTimeout(function () { htmx.trigger(form, "retry"); }, 5000);
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:timeout", failed);

  window.addEventListener("beforeunload", function (e) {
    if (pending.size) { e.preventDefault(); e.returnValue = ""; }
  });

  // "Not applicable" shows its justification box and hides the answer controls.
  document.addEventListener("change", function (e) {
    if (e.target.matches("input[name=not_applicable]")) {
      var form = e.target.closest("form");
      form.querySelector(".na-justification").hidden = !e.target.checked;
      form.querySelector(".answer-controls").classList.toggle("dimmed", e.target.checked);
    }
  });
})();

// The organisation switcher submits on change (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (e) {
  if (e.target.id === "org-switch") e.target.form.submit();
});

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
    if (pending.size || settling.size) { e.preventDefault(); e.returnValue = ""; }
  });

  // Arrow keys move the checked radio at every press (issue 12): a choice made that way is saved
  // once, when the officer pauses (IDLE_MS) or leaves the group, not one revision per press. A
  // click, or Space, still saves at once. htmx listens on the form, so stopping the radio's
  // change and input events on the way down keeps them from it; the form's own change event
  // sends the save later.
  var IDLE_MS = 1000;
  var ARROWS = { ArrowUp: 1, ArrowDown: 1, ArrowLeft: 1, ArrowRight: 1 };
  var arrowForm = null; // the form whose radios an arrow key is moving through, during that key
  var settling = new Map(); // form -> timer of its deferred save

  function answerRadio(el) {
    return el && el.matches && el.matches("form.answer-form input[type=radio]") ? el : null;
  }
  function flush(form) {
    if (!settling.has(form)) return;
    clearTimeout(settling.get(form));
    settling.delete(form);
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("keydown", function (e) {
    var radio = answerRadio(e.target);
    if (!radio || !ARROWS[e.key]) return;
    arrowForm = radio.form; // the browser checks the next radio while this key is handled
    setTimeout(function () { arrowForm = null; }, 0);
  }, true);
  function deferArrowChange(e) {
    var radio = answerRadio(e.target);
    if (!radio) return;
    var form = radio.form;
    if (form !== arrowForm) {
      if (e.type === "change" && settling.has(form)) { // a click saves now, with everything
        clearTimeout(settling.get(form));
        settling.delete(form);
      }
      return;
    }
    e.stopPropagation();
    if (e.type !== "change") return;
    clearTimeout(settling.get(form));
    settling.set(form, setTimeout(function () { flush(form); }, IDLE_MS));
  }
  document.addEventListener("change", deferArrowChange, true);
  document.addEventListener("input", deferArrowChange, true);
  document.addEventListener("focusout", function (e) {
    var radio = answerRadio(e.target);
    if (!radio) return;
    var next = answerRadio(e.relatedTarget);
    if (next && next.form === radio.form && next.name === radio.name) return; // still in the group
    flush(radio.form);
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

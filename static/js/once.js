// Every form that writes (method="post") is sent once: a double click on "Lưu" must not send the page twice.
// Once a post form is submitted, its buttons are disabled and a second submit (Enter, a click in flight) is
// dropped; they come back when the page is shown again from the back/forward cache, or after a while when the
// page stays (a download). A form opts out with data-once="off"; a form whose own script takes the submit
// over (it prevents the default, e.g. the upload with progress) is left to that script.
(function () {
  "use strict";
  var RELEASE_AFTER_MS = 30000;

  function buttons(form) {
    var inside = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    var outside = form.id ? document.querySelectorAll("[form='" + form.id + "']") : [];
    return Array.prototype.slice.call(inside).concat(Array.prototype.slice.call(outside).filter(function (el) {
      return el.type === "submit";
    }));
  }

  function applies(form) {
    return form && (form.getAttribute("method") || "").toLowerCase() === "post" && form.dataset.once !== "off"
      && !form.getAttribute("target");
  }

  function release(form) {
    delete form.dataset.sending;
    buttons(form).forEach(function (button) {
      if (button.dataset.onceDisabled) { button.disabled = false; delete button.dataset.onceDisabled; }
    });
  }

  // Capture phase: a form already being sent drops any further submit before other scripts see it.
  document.addEventListener("submit", function (event) {
    if (applies(event.target) && event.target.dataset.sending) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Bubble phase: after the page's own scripts, which may have cancelled this submit (a confirmation).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!applies(form) || event.defaultPrevented) return;
    form.dataset.sending = "1";
    // After the browser has read the form: a disabled button would not send its name (e.g. which step).
    window.setTimeout(function () {
      buttons(form).forEach(function (button) {
        if (!button.disabled) { button.disabled = true; button.dataset.onceDisabled = "1"; }
      });
    }, 0);
    window.setTimeout(function () { release(form); }, RELEASE_AFTER_MS);
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sending]"), release);
  });
})();

// The review worksheet: classify each row as the officer types (the same rule as the server, with the
// lines of this commune's standard), and keep the keyboard flowing: Enter moves down, never submits.
// Above the near-poor line a household is "not poor" whatever its livelihood: the average living standard is
// recognised by its own procedure (Decision 24/2021/QĐ-TTg), not by the review. The labour box starts at
// the value derived from the members (data-derived); its reason input shows once the box differs from it.
(function () {
  "use strict";
  var form = document.getElementById("worksheet");
  if (!form) return;
  var lines = JSON.parse(form.getAttribute("data-lines"));
  var labels = { poor: "Hộ nghèo", near_poor: "Hộ cận nghèo", not_poor: "Hộ không nghèo" };

  function number(input) {
    var text = (input.value || "").replace(/[.\s]/g, "").replace(",", ".");
    if (text === "") return null;
    var value = Number(text);
    return isNaN(value) ? NaN : value;
  }

  function classify(income, b1, deprivations) {
    var condition;
    if (b1 !== null && lines.b1 !== null) condition = b1 <= lines.b1;
    else if (income !== null) condition = income <= lines.income;
    else return null;
    var absolute = income !== null && lines.absolute !== null && income <= lines.absolute;
    if (absolute || (condition && deprivations >= lines.min)) return "poor";
    if (condition) return "near_poor";
    return "not_poor";
  }

  function update(row) {
    var income = number(row.querySelector("[data-income]"));
    var b1 = number(row.querySelector("[data-b1]"));
    var cell = row.querySelector("[data-class]");
    if (Number.isNaN(income) || Number.isNaN(b1) || (income !== null && income < 0) || (b1 !== null && b1 < 0)) {
      cell.textContent = "Số không hợp lệ";
      cell.className = "classification field-error";
      return;
    }
    var count = row.querySelectorAll("[data-deprivation]:checked").length;
    var result = classify(income, b1, count);
    cell.textContent = result ? labels[result] : "chưa rà soát";
    cell.className = "classification" + (result ? " class-" + result : " muted");
  }

  function labour(row) {
    var box = row.querySelector("[data-labour]");
    var reason = row.querySelector("[data-labour-reason]");
    if (!box || !reason) return;
    var differs = box.checked !== (box.getAttribute("data-derived") === "1");
    reason.hidden = !differs && !reason.value;
    reason.required = differs && !box.disabled;
  }
  Array.prototype.forEach.call(form.querySelectorAll("[data-row]"), labour);

  form.addEventListener("input", function (event) {
    var row = event.target.closest("[data-row]");
    if (row) { row.setAttribute("data-changed", "1"); update(row); }
  });
  form.addEventListener("change", function (event) {
    var row = event.target.closest("[data-row]");
    if (row) { row.setAttribute("data-changed", "1"); update(row); labour(row); }
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT" || event.target.type === "submit") return;
    event.preventDefault();  // Enter moves to the same field of the next row
    var row = event.target.closest("[data-row]");
    var next = row && row.nextElementSibling;
    var selector = event.target.hasAttribute("data-b1") ? "[data-b1]" : "[data-income]";
    var target = next && next.querySelector(selector);
    if (target) target.focus();
  });
  window.addEventListener("beforeunload", function (event) {
    if (form.querySelector("[data-changed]") && !form.submitting) { event.preventDefault(); event.returnValue = ""; }
  });
  form.addEventListener("submit", function () { form.submitting = true; });
})();

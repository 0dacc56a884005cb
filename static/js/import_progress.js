// The import job page: ask the server how far the check or the import has come; show the result when done.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("job-progress"), phase = document.getElementById("job-phase");
  var number = new Intl.NumberFormat("vi-VN");
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.status !== "running") { window.location.reload(); return; }
        if (job.total) {
          bar.max = job.total; bar.value = job.done;
          phase.textContent = job.phase + ": " + number.format(job.done) + " / " + number.format(job.total);
        } else {
          bar.removeAttribute("value"); phase.textContent = job.phase;
        }
        window.setTimeout(poll, 500);
      })
      .catch(function () { phase.textContent = "Mất kết nối với máy chủ: đang thử lại…"; window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();

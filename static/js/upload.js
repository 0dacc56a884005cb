// Show upload progress for big workbooks; then go to the job page, which follows the server's check row by row.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
  function sending(on) {  // one upload at a time: a double click on the button sends the file once (once.js's rule)
    if (on) form.dataset.sending = "1"; else delete form.dataset.sending;
    Array.prototype.forEach.call(buttons, function (button) { button.disabled = on; });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (form.dataset.sending) return;
    sending(true);
    var box = document.getElementById("progress-box"), bar = document.getElementById("progress"),
        text = document.getElementById("progress-text");
    box.classList.remove("hidden");
    var request = new XMLHttpRequest();
    var target = form.action || window.location.href;
    request.open("POST", target);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round(100 * e.loaded / e.total);
      bar.value = percent;
      text.textContent = "Đang tải lên: " + percent + " %";
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      text.textContent = "Đã tải lên, đang bắt đầu kiểm tra…";
    });
    request.addEventListener("load", function () {
      if (request.status === 200 && request.responseURL && request.responseURL !== target) {
        window.location.assign(request.responseURL);  // redirected to the job page
        return;
      }
      document.open(); document.write(request.responseText); document.close();
    });
    request.addEventListener("error", function () { sending(false); text.textContent = "Mất kết nối: hãy thử lại."; });
    request.send(new FormData(form));
  });
  window.addEventListener("pageshow", function (event) { if (event.persisted) sending(false); });  // Back
})();

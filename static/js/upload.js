// Show upload progress for big workbooks, then the server's check ("Đang kiểm tra…") until the preview arrives.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = document.getElementById("progress-box"), bar = document.getElementById("progress"),
        text = document.getElementById("progress-text");
    box.classList.remove("hidden");
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round(100 * e.loaded / e.total);
      bar.value = percent;
      text.textContent = "Đang tải lên: " + percent + " %";
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      text.textContent = "Đang kiểm tra từng dòng của tệp…";
    });
    request.addEventListener("load", function () {
      document.open(); document.write(request.responseText); document.close();
    });
    request.addEventListener("error", function () { text.textContent = "Mất kết nối: hãy thử lại."; });
    request.send(new FormData(form));
  });
})();

// Sortable report tables: click a header to sort by that column (numbers by their raw value).
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      return raw === null || raw === "" ? -Infinity : parseFloat(raw);
    }
    return cell.textContent.trim();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (header, index) {
      header.setAttribute("tabindex", "0");
      header.setAttribute("title", "Bấm để sắp xếp");
      function sort() {
        var numeric = header.getAttribute("data-kind") !== "text";
        var ascending = !header.classList.contains("sorted-asc");
        Array.prototype.forEach.call(headers, function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
        header.classList.add(ascending ? "sorted-asc" : "sorted-desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var order = numeric ? x - y : x.localeCompare(y, "vi");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) { if (event.key === "Enter") sort(); });
    });
  });
})();

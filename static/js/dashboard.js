// The leaders' dashboard: draws each chart with Chart.js (served by the app), fills the table behind
// it, offers CSV and PNG downloads, and reloads the page when a selector changes.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var palette = ["#b42318", "#f79009", "#1570ef", "#067647", "#6941c6", "#667085"];
  var numberFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  window.dashboardCharts = {};

  // The table and the CSV name each bar in full (a programme's code and name), the axis by its short name.
  function fullLabel(chart, i) {
    return chart.tooltips ? chart.tooltips[i] : chart.labels[i];
  }

  function fillTable(chart) {
    var body = document.querySelector("#table-" + chart.id + " tbody");
    chart.labels.forEach(function (label, i) {
      var row = body.insertRow();
      row.insertCell().textContent = fullLabel(chart, i);
      chart.datasets.forEach(function (dataset) {
        var cell = row.insertCell();
        var value = dataset.data[i];
        cell.className = "num";
        cell.textContent = value === null || value === undefined ? "–" : numberFormat.format(value);
      });
    });
  }

  // CSV as the page shows it: a header in every column, Vietnamese decimals (1234,5), no thousands dots.
  var csvNumber = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2, useGrouping: false });

  function csvOf(chart) {
    var lines = [[chart.category].concat(chart.datasets.map(function (d) { return d.label; }))];
    chart.labels.forEach(function (label, i) {
      lines.push([fullLabel(chart, i)].concat(chart.datasets.map(function (d) {
        var value = d.data[i];
        return value === null || value === undefined ? "" : csvNumber.format(value);
      })));
    });
    return "\ufeff" + lines.map(function (cells) {
      return cells.map(function (c) { return '"' + String(c).replace(/"/g, '""') + '"'; }).join(",");
    }).join("\r\n");
  }

  window.dashboardCsv = function (id) {  // what "Tải CSV" saves (also read by the browser test)
    return csvOf(charts.find(function (c) { return c.id === id; }));
  };

  function download(name, href) {
    var link = document.createElement("a");
    link.href = href; link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
  }

  // A bar's tooltip names it in full where the axis shows it short (a programme: its code and name).
  function tooltipTitle(chart) {
    return function (items) {
      var index = items.length ? items[0].dataIndex : -1;
      return index >= 0 ? fullLabel(chart, index) : "";
    };
  }

  charts.forEach(function (chart) {
    var canvas = document.getElementById("chart-" + chart.id);
    fillTable(chart);
    if (!canvas) return;  // nothing to draw ("Chưa có số liệu")
    window.dashboardCharts[chart.id] = new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, i) {
          return { label: dataset.label, data: dataset.data, backgroundColor: palette[i % palette.length],
                   borderColor: palette[i % palette.length], tension: 0.2 };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, locale: "vi-VN",  // 12,5 not 12.5
                 plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { title: tooltipTitle(chart) } } },
                 // a chart of counts carries its own scales (whole-number ticks: reports/dashboard.py)
                 scales: chart.scales || { y: { beginAtZero: true } } }
    });
  });

  document.querySelectorAll("[data-toggle-table]").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = document.getElementById("table-" + button.getAttribute("data-toggle-table"));
      var hidden = table.classList.toggle("hidden");
      button.setAttribute("aria-expanded", hidden ? "false" : "true");
    });
  });
  document.querySelectorAll("[data-download-csv]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var chart = charts.find(function (c) { return c.id === link.getAttribute("data-download-csv"); });
      download(chart.id + ".csv", "data:text/csv;charset=utf-8," + encodeURIComponent(csvOf(chart)));
    });
  });
  document.querySelectorAll("[data-download-png]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var id = link.getAttribute("data-download-png");
      download(id + ".png", window.dashboardCharts[id].toBase64Image());
    });
  });
  ["year-select", "area-select"].forEach(function (id) {
    var select = document.getElementById(id);
    if (select) select.addEventListener("change", function () { document.getElementById("report-filters").submit(); });
  });
})();

// Draws the portal's charts from data the page embeds with json_script; no data is fetched.
(function () {
  "use strict";
  var palette = ["#dc2626", "#d97706", "#0891b2", "#6366f1", "#16a34a", "#6b7280"];
  var node = document.getElementById("breach-trend-data");
  var canvas = document.getElementById("breach-trend-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series, index) {
        return { label: series.label, data: series.values, backgroundColor: palette[index % palette.length],
                 borderRadius: 3 };
      })
    },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      scales: {
        x: { stacked: true, title: { display: true, text: "Week ending" } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Open breaches" } }
      }
    }
  });
})();

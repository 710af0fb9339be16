// Draws the portal's charts from data the page embeds with json_script; no data is fetched.
(function () {
  "use strict";
  var palette = ["#6366f1", "#d97706", "#0891b2", "#16a34a", "#ea580c", "#6b7280"];
  var node = document.getElementById("status-chart-data");
  var canvas = document.getElementById("status-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: palette, borderRadius: 4 }] },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
})();

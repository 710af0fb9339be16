// Draws quality score by ramp week, one curve per agent, from the data the page embeds with json_script
// ({labels: ["Week 1", …], series: [{label, data: [score or null, …]}]}). Weeks without data are gaps, not zeros.
(function () {
  "use strict";
  var node = document.getElementById("ramp-chart-data");
  var canvas = document.getElementById("ramp-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var palette = ["#0f4c5c", "#16a34a", "#b45309", "#7c3aed", "#dc2626", "#0891b2", "#4d7c0f", "#be185d"];
  canvas.dataset.curves = String(data.series.length);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series, index) {
        var colour = palette[index % palette.length];
        return { label: series.label, data: series.data, borderColor: colour, backgroundColor: colour, tension: 0.2, spanGaps: false };
      })
    },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { suggestedMin: 50, max: 100 } } }
  });
})();
